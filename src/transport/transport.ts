import type { Duplex } from 'node:stream';

export interface TransportTarget {
  readonly host: string;
  readonly port: number;
}

/**
 * Opens a byte stream to a server. The protocol runs over any Duplex, so TCP,
 * TLS or a WebSocket are implementations of this one call.
 * Rejects with a ConnectionError (CONNECTION_REFUSED, HOST_NOT_FOUND, ...)
 * or a TimeoutError.
 */
export interface Transport {
  connect(target: TransportTarget, timeoutMs: number): Promise<Duplex>;
}
