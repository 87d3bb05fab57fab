/**
 * Defaults of the server's options, in a module of their own so that the CLI can show them in
 * `serve --help` without loading the server.
 */
export { DEFAULT_PORT } from '../protocol/constants.js';
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_KILL_GRACE_MS = 5000;
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
