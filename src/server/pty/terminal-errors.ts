import { FrameshError } from '../../errors.js';

/** PROTOCOL.md §11: a terminal was asked of a server that cannot make one (node-pty did not load). */
export class PtyUnavailableError extends FrameshError {
  declare readonly code: 'PTY_UNAVAILABLE';

  constructor(message: string) {
    super('PTY_UNAVAILABLE', message);
  }
}
