import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadOrCreateKey, type KeyPair } from './key-files.js';

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
export async function loadOrCreateHostIdentity(
  keyFile: string,
  certFile: string,
): Promise<HostIdentity & { created: boolean }> {
  const { pair, created } = loadOrCreateKey(keyFile, 'framesh host key');
  const keyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  let certPem = existsSync(certFile) && !created ? readFileSync(certFile, 'utf8') : '';
  if (!certPem || !certMatchesKey(certPem, pair)) {
    // Loaded only when a certificate must be made: @peculiar/x509 and reflect-metadata are heavy.
    const { selfSignedCertificate } = await import('./self-signed-certificate.js');
    certPem = await selfSignedCertificate(pair);
    writeFileSync(certFile, certPem, { mode: 0o644 });
  }
  return { key: pair, keyPem, certPem, fingerprint: pair.fingerprint, created };
}

function certMatchesKey(certPem: string, pair: KeyPair): boolean {
  try {
    const cert = new X509Certificate(certPem);
    return cert.publicKey
      .export({ type: 'spki', format: 'der' })
      .equals(pair.publicKey.export({ type: 'spki', format: 'der' }));
  } catch {
    return false;
  }
}
