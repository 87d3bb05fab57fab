/**
 * Defaults of the server's options, in a module of their own so that the CLI can show them in
 * `serve --help` without loading the server.
 */
export { DEFAULT_PORT } from '../protocol/constants.js';
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_KILL_GRACE_MS = 5000;
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/** Terminals (shell, exec -t) open at once per connection; OpenSSH's MaxSessions is 10 too. */
export const DEFAULT_MAX_TERMINALS = 10;
export const DEFAULT_AUTH_GRACE_MS = 10_000;
export const DEFAULT_AUTH_FAILURE_DELAY_MS = 250;
export const DEFAULT_KEEPALIVE_INTERVAL_MS = 15_000;
export const DEFAULT_KEEPALIVE_COUNT_MAX = 3;
/** Default age after which an unclaimed partial upload is removed (`serve --partial-max-age`). */
export const DEFAULT_PARTIAL_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
