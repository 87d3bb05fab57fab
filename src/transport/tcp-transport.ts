import net from 'node:net';
import type { Duplex } from 'node:stream';
import { TimeoutError } from '../errors.js';
import { toConnectError } from './connect-errors.js';
import type { Transport, TransportTarget } from './transport.js';

/** Plain TCP with Nagle's algorithm off: small frames (exit, window) must not wait 40 ms. */
export class TcpTransport implements Transport {
  connect(target: TransportTarget, timeoutMs: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: target.host, port: target.port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TimeoutError(`connecting to ${target.host}:${target.port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(toConnectError(err, target));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(socket);
      });
    });
  }
}
