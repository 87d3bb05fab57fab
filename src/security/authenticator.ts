import type { KeyOptions } from './key-options.js';
import type { AuthMessage } from '../protocol/messages.js';

/** Who a client proved to be. */
export interface AuthenticatedIdentity {
  readonly fingerprint: string;
  readonly comment: string;
  /** The key's authorized_keys options; every `open` is checked against them (key-restrictions.ts). */
  readonly options?: KeyOptions;
}

/**
 * Checks one `auth` message; rejects with a SecurityError (after any failure delay). Defined here,
 * with the key checks, so security/ depends on nothing in server/ (the session only calls it).
 */
export interface Authenticator {
  authenticate(message: AuthMessage): Promise<AuthenticatedIdentity>;
  /** Called once the client is in. */
  onAuthenticated?(identity: AuthenticatedIdentity): void;
}
