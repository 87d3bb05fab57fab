import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, generateKeyPairSync, webcrypto, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** The browser terminal's own HTTPS identity: what the browser shows, and its SHA-256 to compare. */
export interface WebCertificate {
  readonly keyPem: string;
  readonly certPem: string;
  /** SHA-256 of the certificate, colon-separated hex, as browsers' certificate viewers print it. */
  readonly fingerprint256: string;
  readonly created: boolean;
}

/**
 * `serve --web` on a non-loopback address without --web-cert: a self-signed ECDSA P-256 certificate in
 * $FRAMESH_HOME (web_key.pem 0600, web_cert.pem), made once and kept. Browsers do not accept the host
 * key's Ed25519 certificate (Chromium: ERR_SSL_VERSION_OR_CIPHER_MISMATCH), so the page needs its own;
 * the browser warns about a self-signed one, and the fingerprint printed at start is what to compare.
 * The certificate names `names` (the listening address, --web-origin hosts); it is remade when one is
 * missing from it.
 */
export async function loadOrCreateWebCertificate(home: string, names: readonly string[]): Promise<WebCertificate> {
  const keyFile = path.join(home, 'web_key.pem');
  const certFile = path.join(home, 'web_cert.pem');
  if (existsSync(keyFile) && existsSync(certFile)) {
    const keyPem = readFileSync(keyFile, 'utf8');
    const certPem = readFileSync(certFile, 'utf8');
    const cert = new X509Certificate(certPem);
    if (cert.checkPrivateKey(createPrivateKey(keyPem)) && names.every((name) => coversName(cert, name))) {
      return { keyPem, certPem, fingerprint256: cert.fingerprint256, created: false };
    }
  }
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const keyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const keys = {
    privateKey: await webcrypto.subtle.importKey(
      'pkcs8',
      pair.privateKey.export({ type: 'pkcs8', format: 'der' }),
      ECDSA,
      false,
      ['sign'],
    ),
    publicKey: await webcrypto.subtle.importKey(
      'spki',
      pair.publicKey.export({ type: 'spki', format: 'der' }),
      ECDSA,
      true,
      ['verify'],
    ),
  };
  const now = Date.now();
  const generated = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8)))
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: 'CN=framesh web terminal',
    notBefore: new Date(now - 24 * 3600 * 1000),
    notAfter: new Date(now + TEN_YEARS_MS),
    signingAlgorithm: ECDSA,
    keys: keys as unknown as CryptoKeyPair,
    extensions: [
      new x509.SubjectAlternativeNameExtension(
        names.map((name) =>
          isIP(name) ? { type: 'ip' as const, value: name } : { type: 'dns' as const, value: name },
        ),
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  const certPem = generated.toString('pem');
  writeFileSync(keyFile, keyPem, { mode: 0o600 });
  writeFileSync(certFile, certPem, { mode: 0o644 });
  return { keyPem, certPem, fingerprint256: new X509Certificate(certPem).fingerprint256, created: true };
}

function coversName(cert: X509Certificate, name: string): boolean {
  return isIP(name) ? cert.checkIP(name) !== undefined : cert.checkHost(name) !== undefined;
}
