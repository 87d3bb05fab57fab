/**
 * Defaults of the web options, in a module of their own so that the CLI can show them in
 * `serve --help` without loading the web service.
 */
/** A browser session ends after this long without a request or a keystroke (`serve --web-idle`). */
export const DEFAULT_WEB_IDLE_MS = 30 * 60_000;
/** ...and this long after login whatever happens (`serve --web-max-age`). */
export const DEFAULT_WEB_MAX_AGE_MS = 12 * 60 * 60_000;
/** How long a stream waits for its page to come back after the socket dropped (`resumeGraceMs`). */
export const DEFAULT_RESUME_GRACE_MS = 30_000;
