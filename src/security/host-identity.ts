import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadOrCreateKey, type KeyPair } from './key-files.js';

// @peculiar/x509 signs through WebCrypto; Node's implements Ed25519. (Node itself cannot create
// certificates, and TLS needs one: see docs/SECURITY.md, "Why a certificate".)
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const HUNDRED_YEARS_MS = 100 * 365 * 24 * 3600 * 1000;

export interface HostIdentity {
  readonly key: KeyPair;
  readonly keyPem: string;
  readonly certPem: string;
  readonly fingerprint: string;
}

/**
 * The server's persistent identity: an Ed25519 key (made on first start) and
 * a self-signed certificate over it. Clients trust the key's fingerprint, not
 * the certificate's fields, so the certificate is only the TLS carrier.
 */
export async function loadOrCreateHostIdentity(keyFile: string, certFile: string): Promise<HostIdentity & { created: boolean }> {
  const { pair, created } = loadOrCreateKey(keyFile, 'framesh host key');
  const keyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  let certPem = existsSync(certFile) && !created ? readFileSync(certFile, 'utf8') : '';
  if (!certPem || !certMatchesKey(certPem, pair)) {
    certPem = await selfSignedCertificate(pair);
    writeFileSync(certFile, certPem, { mode: 0o644 });
  }
  return { key: pair, keyPem, certPem, fingerprint: pair.fingerprint, created };
}

async function selfSignedCertificate(pair: KeyPair): Promise<string> {
  const subtle = webcrypto.subtle;
  const algorithm = { name: 'Ed25519' };
  const pkcs8 = pair.privateKey.export({ type: 'pkcs8', format: 'der' });
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  const keys = {
    privateKey: await subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']),
    publicKey: await subtle.importKey('spki', spki, algorithm, true, ['verify']),
  };
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1'),
    name: 'CN=framesh host',
    notBefore: new Date(now - 24 * 3600 * 1000),
    notAfter: new Date(now + HUNDRED_YEARS_MS),
    signingAlgorithm: algorithm,
    keys: keys as unknown as CryptoKeyPair,
  });
  return cert.toString('pem');
}

function certMatchesKey(certPem: string, pair: KeyPair): boolean {
  try {
    const cert = new X509Certificate(certPem);
    return cert.publicKey.export({ type: 'spki', format: 'der' }).equals(pair.publicKey.export({ type: 'spki', format: 'der' }));
  } catch {
    return false;
  }
}

