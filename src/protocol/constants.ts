/** Wire constants. PROTOCOL.md is normative; these mirror it. */

/** PROTOCOL.md §2: "MAJOR.MINOR". A peer with another MAJOR is refused. */
export const PROTOCOL_VERSION = '1.0';
export const PROTOCOL_MAJOR = 1;

/** PROTOCOL.md §1: bytes of the big-endian header-length prefix. */
export const LENGTH_PREFIX_BYTES = 4;

/** PROTOCOL.md §3: default limits; each side states its own in `hello`. */
export const DEFAULT_LIMITS = {
  /** Largest JSON header a peer accepts. */
  maxHeaderBytes: 64 * 1024,
  /** Largest body in one frame; senders split larger data. */
  maxBodyBytes: 1024 * 1024,
  /** Most channels open at once on one connection. */
  maxChannels: 64,
} as const;

/** PROTOCOL.md §3: the smallest limits a `hello` may state (a hello below them is a PROTOCOL error). */
export const MIN_LIMITS = {
  maxHeaderBytes: 4096,
  maxBodyBytes: 1024,
  maxChannels: 1,
} as const;

/** PROTOCOL.md §5: initial per-channel window each receiver grants. */
export const DEFAULT_WINDOW_BYTES = 4 * 1024 * 1024;
/** A channel window never exceeds 2^31-1 (as in SSH and HTTP/2). */
export const MAX_WINDOW_BYTES = 2 ** 31 - 1;

/** PROTOCOL.md §4.1: the largest `timeoutMs` (what a 32-bit signed timer holds). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

// PROTOCOL.md §7: the error codes carried in `error` frames are WIRE_ERROR_CODES in src/error-codes.ts.

/** PROTOCOL.md §4, §9: a channel's output streams, its input stream, and file contents. */
export const StreamNames = { stdout: 'stdout', stderr: 'stderr', stdin: 'stdin', file: 'file' } as const;
export type StreamName = (typeof StreamNames)[keyof typeof StreamNames];

/** The TCP port a framesh server listens on unless told otherwise. */
export const DEFAULT_PORT = 7022;
