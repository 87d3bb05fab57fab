/**
 * PROTOCOL.md §10.2: the bytes a client signs to prove it holds its key. They are built from the TLS
 * session's exported keying material (RFC 5705 / RFC 8446 §7.5), which the transport layer extracts
 * with the label and context below and passes in: security/ never touches a socket. The exporter
 * value is unique to one TLS session and equal on both ends only without a man in the middle, so a
 * signature neither replays on another connection nor relays.
 */
export const EXPORTER_LABEL = 'EXPORTER-framesh-auth-v1';
export const EXPORTER_BYTES = 32;
/** The signed context, also the exporter's context value. */
export const AUTH_CONTEXT = Buffer.from('framesh auth v1\0', 'utf8');

/**
 * `C || EKM || UTF8(publicKey)` for method "ed25519" (alg null), and
 * `C || EKM || UTF8(alg) || 0x00 || UTF8(publicKey)` for method "publickey", so the algorithm is
 * covered by the signature as SSH covers it in its userauth request.
 */
export function authPayload(exporterValue: Buffer, publicKeyLine: string, alg: string | null): Buffer {
  if (exporterValue.length !== EXPORTER_BYTES)
    throw new Error(`the TLS exporter value has ${EXPORTER_BYTES} bytes, not ${exporterValue.length}`);
  const parts = [AUTH_CONTEXT, exporterValue];
  if (alg !== null) parts.push(Buffer.from(alg, 'utf8'), Buffer.alloc(1));
  parts.push(Buffer.from(publicKeyLine, 'utf8'));
  return Buffer.concat(parts);
}
