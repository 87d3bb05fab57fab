import { FrameshError } from '../errors.js';

/** A refused web request (PROTOCOL.md §12.2): no --web on this server, or a session id it does not hold. */
export class WebError extends FrameshError {
  declare readonly code: 'WEB_DISABLED' | 'WEB_SESSION_UNKNOWN';

  constructor(code: 'WEB_DISABLED' | 'WEB_SESSION_UNKNOWN', message: string) {
    super(code, message);
  }
}
