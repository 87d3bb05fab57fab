import type { TLSSocket } from 'node:tls';
import { AUTH_CONTEXT, EXPORTER_BYTES, EXPORTER_LABEL } from '../security/auth-proof.js';

/**
 * The §10.2 exporter value of a TLS session (RFC 8446 §7.5), or null when the stream is not TLS.
 * It lives here, beside the sockets, so security/ gets plain bytes.
 */
export function authExporterValue(stream: unknown): Buffer | null {
  const socket = stream as Partial<TLSSocket>;
  if (typeof socket.exportKeyingMaterial !== 'function') return null;
  return socket.exportKeyingMaterial(EXPORTER_BYTES, EXPORTER_LABEL, AUTH_CONTEXT);
}
