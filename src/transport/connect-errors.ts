import { ConnectionError, type FrameshError } from '../errors.js';
import type { TransportTarget } from './transport.js';

/** Maps a socket error during connect to a typed error that names the target. */
export function toConnectError(err: NodeJS.ErrnoException, target: TransportTarget): FrameshError {
  const where = `${target.host}:${target.port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return new ConnectionError(
        'CONNECTION_REFUSED',
        `connection refused by ${where} (is framesh serve running there?)`,
        { cause: err },
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectionError('HOST_NOT_FOUND', `unknown host: ${target.host}`, { cause: err });
    case 'ECONNRESET':
      return new ConnectionError('CONNECTION_RESET', `connection to ${where} was reset`, { cause: err });
    default:
      return new ConnectionError('CONNECTION_CLOSED', `cannot connect to ${where}: ${err.message}`, { cause: err });
  }
}
