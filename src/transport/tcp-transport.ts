import net from 'node:net';
import type { Duplex } from 'node:stream';
import { TimeoutError, type FrameshError } from '../errors.js';
import { toConnectError } from './connect-errors.js';
import type { Transport, TransportTarget } from './transport.js';
import { LentReads, registerLentReads } from './lent-reads.js';

/** Plain TCP with Nagle's algorithm off: small frames (exit, window) must not wait 40 ms. */
export class TcpTransport implements Transport {
  connect(target: TransportTarget, timeoutMs: number): Promise<Duplex> {
    return openTcpSocket(target, timeoutMs, toConnectError, new LentReads());
  }
}

/**
 * Opens a TCP connection with Nagle off, bounded by `timeoutMs`; a socket
 * error during connect is mapped by `toError` (each caller names its server
 * kind in the message). Also used by the classic client. With `reads`, the socket reads into their one
 * buffer and emits no 'data' (lent-reads.ts).
 */
export function openTcpSocket(
  target: TransportTarget,
  timeoutMs: number,
  toError: (err: NodeJS.ErrnoException, target: TransportTarget) => FrameshError,
  reads?: LentReads,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({
      host: target.host,
      port: target.port,
      noDelay: true,
      ...(reads && { onread: reads.onread }),
    });
    if (reads) registerLentReads(socket, reads);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TimeoutError(`connecting to ${target.host}:${target.port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(toError(err, target));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}
