import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import type { KeyPair } from './key-files.js';

// @peculiar/x509 signs through WebCrypto; Node's implements Ed25519. (Node itself cannot create
// certificates, and TLS needs one: see docs/SECURITY.md, "Why a certificate".)
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const HUNDRED_YEARS_MS = 100 * 365 * 24 * 3600 * 1000;

/** A self-signed certificate over the host key: only the TLS carrier, clients trust the key's fingerprint. */
export async function selfSignedCertificate(pair: KeyPair): Promise<string> {
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
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8)))
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: 'CN=framesh host',
    notBefore: new Date(now - 24 * 3600 * 1000),
    notAfter: new Date(now + HUNDRED_YEARS_MS),
    signingAlgorithm: algorithm,
    keys: keys as unknown as CryptoKeyPair,
  });
  return cert.toString('pem');
}
