import { sign, verify, type KeyObject } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

/** PROTOCOL.md §10: the TLS exporter label and the signed context. */
export const EXPORTER_LABEL = 'EXPORTER-framesh-auth-v1';
const EXPORTER_BYTES = 32;
const CONTEXT = Buffer.from('framesh auth v1\0', 'utf8');

/**
 * What the client signs: a fixed context, the TLS session's exported keying
 * material (RFC 5705/8446 §7.5) and its own public key. The exporter value is
 * unique to this TLS session and equal on both ends only without a man in the
 * middle, so a signature neither replays on another connection nor relays.
 */
export function authPayload(socket: TLSSocket, publicKeyLine: string): Buffer {
  const ekm = socket.exportKeyingMaterial(EXPORTER_BYTES, EXPORTER_LABEL, CONTEXT);
  return Buffer.concat([CONTEXT, ekm, Buffer.from(publicKeyLine, 'utf8')]);
}

export function signAuth(socket: TLSSocket, publicKeyLine: string, privateKey: KeyObject): string {
  return sign(null, authPayload(socket, publicKeyLine), privateKey).toString('base64');
}

export function verifyAuth(socket: TLSSocket, publicKeyLine: string, publicKey: KeyObject, signature: string): boolean {
  try {
    return verify(null, authPayload(socket, publicKeyLine), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
