/**
 * Every error code framesh raises, as `as const` lists with the types derived
 * from them (nats.js style; undici's types/errors.d.ts gives each class its
 * literal code the same way). docs/ERRORS.md has one row per code, and
 * test/unit/error-codes.test.ts keeps the two equal. A new code is added to
 * its list here and given a row there.
 */

/** Codes that travel in `error` frames (docs/PROTOCOL.md §7, §9.5, §10.3). */
export const WIRE_ERROR_CODES = [
  'PROTOCOL',
  'LIMIT',
  'VERSION',
  'UNKNOWN_CHANNEL',
  'ENOENT_COMMAND',
  'ENOENT_CWD',
  'EACCES',
  'SPAWN_FAILED',
  'SHUTTING_DOWN',
  'PTY_UNAVAILABLE',
  'INTERNAL',
  'AUTH_FAILED',
  'AUTH_TIMEOUT',
  'TLS_REQUIRED',
  'TLS_MISMATCH',
  'PATH_ESCAPE',
  'ENOENT',
  'EISDIR',
  'ENOTDIR',
  'SPECIAL_FILE',
  'ENOSPC',
  'CHECKSUM_MISMATCH',
  'SIZE_MISMATCH',
  'FILE_CHANGED',
  'CANCELLED',
  'RESERVED_NAME',
  'FILE_ERROR',
  'RESTRICTED',
  'WEB_DISABLED',
  'WEB_SESSION_UNKNOWN',
] as const;

/** Codes raised locally, never sent. */
export const LOCAL_ERROR_CODES = [
  'HOST_KEY_UNKNOWN',
  'HOST_KEY_CHANGED',
  'HOST_KEY_MISMATCH',
  'KEY_PERMISSIONS',
  'KEY_INVALID',
  'KEY_PASSPHRASE',
  'KEY_MISSING',
  'AGENT_FAILED',
  'NO_USER_LOGINS',
  'KEEPALIVE_TIMEOUT',
  'TIMEOUT',
  'UNEXPECTED_EOF',
  'CONNECTION_REFUSED',
  'HOST_NOT_FOUND',
  'CONNECTION_RESET',
  'CONNECTION_CLOSED',
  'MAX_BUFFER',
  'REMOTE_UNKNOWN',
  'CLASSIC_REMOTE_REFUSED',
  'CLASSIC_UPLOAD_NAME',
  'CLASSIC_UPLOAD_HEADER',
  'CLASSIC_UPLOAD_TRUNCATED',
  'CLASSIC_UPLOAD_FAILED',
  'CLASSIC_BAD_REPLY',
  'CLASSIC_REPLY_TOO_LARGE',
  'CLASSIC_REPLY_CUT',
  'UNSAFE_NAME',
  'CONFIG',
  'INVENTORY',
  'INVALID_OPTION',
  'KNOWN_HOSTS_LOCKED',
  'TRANSFER_PLAN',
] as const;

export type WireErrorCode = (typeof WIRE_ERROR_CODES)[number];
/** Every `code` a FrameshError can have: `err.code === 'LIMTI'` is a compile error. */
export type FrameshErrorCode = WireErrorCode | (typeof LOCAL_ERROR_CODES)[number];

/** How a connection ended or failed to start (ConnectionError). */
export type ConnectionErrorCode =
  'CONNECTION_CLOSED' | 'CONNECTION_REFUSED' | 'HOST_NOT_FOUND' | 'CONNECTION_RESET' | 'KEEPALIVE_TIMEOUT';

/** Which identity check failed (SecurityError). */
export type SecurityErrorCode =
  | 'AUTH_FAILED'
  | 'AUTH_TIMEOUT'
  | 'HOST_KEY_UNKNOWN'
  | 'HOST_KEY_CHANGED'
  | 'HOST_KEY_MISMATCH'
  | 'KEY_PERMISSIONS'
  | 'KEY_INVALID'
  | 'TLS_REQUIRED'
  | 'TLS_MISMATCH'
  | 'KNOWN_HOSTS_LOCKED';

/** Why a command could not start (PROTOCOL.md §4.1). */
export type SpawnErrorCode = 'ENOENT_COMMAND' | 'ENOENT_CWD' | 'EACCES' | 'SPAWN_FAILED';

/** The file channels' codes (PROTOCOL.md §9.5); LIMIT for a listing too large for one frame. */
export type FileErrorCode =
  | 'PATH_ESCAPE'
  | 'ENOENT'
  | 'EACCES'
  | 'EISDIR'
  | 'ENOTDIR'
  | 'SPECIAL_FILE'
  | 'ENOSPC'
  | 'CHECKSUM_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'FILE_CHANGED'
  | 'CANCELLED'
  | 'RESERVED_NAME'
  | 'FILE_ERROR'
  | 'LIMIT';

/** A local file's failures, with the server's codes for the same thing. */
export type LocalFileErrorCode = 'ENOENT' | 'EISDIR' | 'ENOTDIR' | 'SPECIAL_FILE' | 'CHECKSUM_MISMATCH' | 'FILE_ERROR';

/** What a RemoteError carries: the peer's code if this version knows it, else REMOTE_UNKNOWN. */
export type RemoteErrorCode = WireErrorCode | 'REMOTE_UNKNOWN';

/** Codes of the classic listener. None travels on the wire: classic formats have no error frame. */
export type ClassicServerErrorCode =
  | 'CLASSIC_REMOTE_REFUSED'
  | 'CLASSIC_UPLOAD_NAME'
  | 'CLASSIC_UPLOAD_HEADER'
  | 'CLASSIC_UPLOAD_TRUNCATED'
  | 'CLASSIC_UPLOAD_FAILED';

/** A classic server's reply that cannot be read. */
export type ClassicReplyErrorCode = 'CLASSIC_BAD_REPLY' | 'CLASSIC_REPLY_TOO_LARGE' | 'CLASSIC_REPLY_CUT';

const WIRE = new Set<string>(WIRE_ERROR_CODES);

/** True for a code that may travel in an `error` frame. */
export function isWireErrorCode(code: unknown): code is WireErrorCode {
  return typeof code === 'string' && WIRE.has(code);
}
