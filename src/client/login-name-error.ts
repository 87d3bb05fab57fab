import { FrameshError } from '../errors.js';

/**
 * `user@host` given as a host: framesh has no per-user logins (docs/ERRORS.md). Said plainly,
 * instead of the resolver's "unknown host" for a name with an @ in it.
 */
export class LoginNameError extends FrameshError {
  declare readonly code: 'NO_USER_LOGINS';

  constructor(host: string, port: number) {
    const at = host.lastIndexOf('@');
    super(
      'NO_USER_LOGINS',
      `"${host}": framesh has no per-user logins; commands run as the account the server runs as. ` +
        `Connect to ${host.slice(at + 1) || 'the host'}:${port} instead (to act as ${host.slice(0, at) || 'another user'}, run its server as that account)`,
    );
  }
}
