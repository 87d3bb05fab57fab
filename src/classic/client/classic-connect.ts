import type net from 'node:net';
import { ConnectionError, type FrameshError } from '../../errors.js';
import { openTcpSocket } from '../../transport/tcp-transport.js';

/** Where a classic server listens. Unlike framesh's own servers there is no default port. */
export interface ClassicTarget {
  readonly host: string;
  readonly port: number;
}

/** Opens a TCP connection to a classic server; rejects with a typed error that names the address. */
export function connectClassicSocket(target: ClassicTarget, timeoutMs: number): Promise<net.Socket> {
  // Nagle off (openTcpSocket): a command, a size and `recv_ready` are tiny writes that must not wait 40 ms.
  return openTcpSocket(target, timeoutMs, toClassicSocketError);
}

/** Maps a socket error (during connect or later) to a typed error with the address in its message. */
export function toClassicSocketError(err: NodeJS.ErrnoException, target: ClassicTarget): FrameshError {
  const where = describeTarget(target);
  switch (err.code) {
    case 'ECONNREFUSED':
      return new ConnectionError(
        'CONNECTION_REFUSED',
        `connection refused by ${where} (is the classic server running there?)`,
        { cause: err },
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectionError('HOST_NOT_FOUND', `unknown host: ${target.host}`, { cause: err });
    case 'ECONNRESET':
      return new ConnectionError('CONNECTION_RESET', `the connection to ${where} was reset by the server`, {
        cause: err,
      });
    case 'EPIPE':
      return new ConnectionError('CONNECTION_CLOSED', `the server at ${where} closed the connection`, { cause: err });
    default:
      return new ConnectionError('CONNECTION_CLOSED', `connection to ${where} failed: ${err.message}`, { cause: err });
  }
}

export function describeTarget(target: ClassicTarget): string {
  return target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}
