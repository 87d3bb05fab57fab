import { MIN_LIMITS, StreamNames } from './constants.js';
import {
  boolean,
  channelId,
  command,
  filePath,
  frameLength,
  integer,
  integerAtLeast,
  nonNegativeInteger,
  nullable,
  object,
  oneOf,
  optional,
  safeInteger,
  sha256Hex,
  string,
  stringArray,
  stringRecord,
  timeoutMs,
  windowBytes,
} from './message-fields.js';
import { absent, localeRecord, ptyRequest, terminalCells, terminalPixels } from './terminal-fields.js';

/**
 * The one table of messages (PROTOCOL.md §4–§10). Both the TypeScript types
 * (messages.ts) and the validator (message-validation.ts) are derived from it:
 * a new message, field or channel kind is one entry here (after PROTOCOL.md).
 * Fields are checked in the order written, so the first error is stable.
 * Unknown extra fields are ignored, so minor versions can add them.
 */

const STREAM_NAMES = Object.values(StreamNames);

/** Why a command was ended by the server rather than by itself (PROTOCOL.md §4.7). */
export const EXIT_REASONS = ['timeout', 'cancel', 'disconnect', 'shutdown'] as const;
export const FILE_TYPES = ['file', 'directory', 'none', 'other'] as const;
/** What a `web` channel asks (PROTOCOL.md §12.2). */
export const WEB_ACTIONS = ['login', 'list', 'revoke', 'cwd'] as const;

/** PROTOCOL.md §3: every limit is required and at least its minimum. */
export const PEER_LIMITS = {
  maxHeaderBytes: integerAtLeast(MIN_LIMITS.maxHeaderBytes),
  maxBodyBytes: integerAtLeast(MIN_LIMITS.maxBodyBytes),
  maxChannels: integerAtLeast(MIN_LIMITS.maxChannels),
};

/** PROTOCOL.md §9.3: what `stat` and `mkdir` answer, and each entry of a listing. */
export const FILE_STAT = {
  type: oneOf(FILE_TYPES),
  size: nonNegativeInteger(),
  mode: nonNegativeInteger(),
  /** Milliseconds since the epoch, rounded (negative for files before 1970). */
  mtimeMs: safeInteger(),
};

/** Messages about the connection as a whole (PROTOCOL.md §2, §6, §7, §10). */
export const CONNECTION_MESSAGES = {
  hello: {
    version: string(),
    agent: string(),
    capabilities: stringArray(),
    limits: object(PEER_LIMITS),
  },
  /** Without `ch` the error is fatal for the connection; with `ch` it ends that channel. */
  error: {
    code: string(),
    message: string(),
    ch: optional(channelId()),
  },
  ping: { id: nonNegativeInteger() },
  pong: { id: nonNegativeInteger() },
  /** Server stops taking new channels (shutdown); running ones continue. */
  goaway: { reason: string() },
  /** PROTOCOL.md §10.2: the client proves possession of its key, bound to this TLS session. */
  auth: {
    /** "publickey" (with `alg`), or "ed25519", the first form: alg ssh-ed25519, the alg not signed. */
    method: oneOf(['ed25519', 'publickey']),
    /** With method "publickey": ssh-ed25519, rsa-sha2-256/512, ecdsa-sha2-nistp256/384/521 (checked by the authenticator). */
    alg: optional(string()),
    /** The client's public key as an OpenSSH line: `ssh-ed25519 AAAA… [comment]`. */
    publicKey: string(),
    /** Base64 signature bytes of `alg` over the §10.2 payload. */
    signature: string(),
  },
  'auth-ok': { fingerprint: string() },
} as const;

/** Fields every `open` carries, whatever its kind (PROTOCOL.md §4.1). */
export const OPEN_COMMON = {
  ch: channelId(),
  /** Initial window the opener grants for data sent to it (PROTOCOL.md §5). */
  window: windowBytes(),
};

/** PROTOCOL.md §4.1, §9: the fields each channel kind adds to `open`. */
export const OPEN_KINDS = {
  exec: {
    /** A string runs through the shell; an array is an argv run without one. */
    command: command(),
    cwd: optional(string()),
    env: optional(stringRecord()),
    timeoutMs: optional(timeoutMs()),
    login: optional(boolean()),
    /** Run on a pseudo-terminal (PROTOCOL.md §11). */
    pty: optional(ptyRequest()),
    /** The client's LANG / LC_* variables (PROTOCOL.md §11.4). */
    locale: optional(localeRecord()),
  },
  /** PROTOCOL.md §11.1: the account's login shell, on a terminal when `pty` is given. */
  shell: {
    command: absent('a shell channel takes no command (use kind "exec")'),
    cwd: optional(string()),
    env: optional(stringRecord()),
    timeoutMs: optional(timeoutMs()),
    pty: optional(ptyRequest()),
    locale: optional(localeRecord()),
  },
  /** PROTOCOL.md §9.1: upload a file to `path` under the server's file root. */
  put: {
    path: filePath(),
    /** The source's base name: used when `path` names an existing directory (as scp does). */
    name: optional(string()),
    /** Total bytes; absent for a stream of unknown length (no resume then). */
    size: optional(nonNegativeInteger()),
    mode: optional(nonNegativeInteger()),
    mtimeMs: optional(nonNegativeInteger()),
    /** Continue a partial upload left by an interrupted one (default true). */
    resume: optional(boolean()),
    /** Create missing parent directories. */
    mkdirs: optional(boolean()),
  },
  /** PROTOCOL.md §9.2: download the file at `path`. */
  get: {
    path: filePath(),
    /** Bytes the client already holds from an interrupted download... */
    offset: optional(nonNegativeInteger()),
    /** ...and their SHA-256 (hex), so the server can check they are a prefix of the file. */
    prefixSha256: optional(sha256Hex()),
  },
  /** PROTOCOL.md §9.3: what is at `path` (and, with `list`, a directory's entries in the `done` body). */
  stat: {
    path: filePath(),
    list: optional(boolean()),
    /** `path` is a shell pattern: the `done` body lists its matches. */
    glob: optional(boolean()),
  },
  /** PROTOCOL.md §9.4: make a directory (and missing parents inside the root); answered like stat. */
  mkdir: {
    path: filePath(),
    /** Permission bits of a directory made now (default 0755, less the server's umask). */
    mode: optional(nonNegativeInteger()),
  },
  /**
   * PROTOCOL.md §12.2: the browser terminal's control requests (serve --web): mint a login URL for the
   * caller's key, list or revoke web sessions, or ask a terminal channel's current directory.
   */
  web: {
    action: oneOf(WEB_ACTIONS),
    /** revoke: the session's id as `list` shows it. */
    session: optional(string()),
    /** cwd: a terminal channel on this same connection. */
    terminal: optional(channelId()),
  },
} as const;

/** Messages of one channel, each with its `ch` (PROTOCOL.md §4, §9). `open` is OPEN_COMMON + OPEN_KINDS. */
export const CHANNEL_MESSAGES = {
  opened: {
    ch: channelId(),
    window: windowBytes(),
    /** put: bytes of a partial upload already on the server; get: where the data will start. */
    offset: optional(nonNegativeInteger()),
    /** put: SHA-256 (hex) of those `offset` bytes. */
    prefixSha256: optional(sha256Hex()),
    /** get: the file's size, mode and modification time. */
    size: optional(nonNegativeInteger()),
    mode: optional(nonNegativeInteger()),
    mtimeMs: optional(safeInteger()),
  },
  data: { ch: channelId(), stream: oneOf(STREAM_NAMES), len: frameLength() },
  eof: { ch: channelId(), stream: oneOf(STREAM_NAMES) },
  window: { ch: channelId(), bytes: windowBytes() },
  signal: { ch: channelId(), signal: string() },
  cancel: { ch: channelId() },
  /** PROTOCOL.md §11.2: a new size for a channel's terminal (client → server). */
  resize: {
    ch: channelId(),
    cols: terminalCells(),
    rows: terminalCells(),
    widthPx: optional(terminalPixels()),
    heightPx: optional(terminalPixels()),
  },
  /** PROTOCOL.md §9.1: the client tells where its put data starts (the offered offset, or 0 to start over). */
  seek: { ch: channelId(), offset: nonNegativeInteger() },
  /**
   * PROTOCOL.md §9: end of a file channel. From the client (put): all data sent, with its SHA-256.
   * From the server: the final frame of put, get, stat and mkdir.
   */
  done: {
    ch: channelId(),
    sha256: optional(sha256Hex()),
    size: optional(nonNegativeInteger()),
    stat: optional(object(FILE_STAT)),
    /** put: where the file was stored, in the client's terms (PROTOCOL.md §9.1). */
    path: optional(string()),
    len: frameLength(),
  },
  exit: {
    ch: channelId(),
    /** Exit code, or null when ended by a signal. */
    code: nullable(integer()),
    /** Signal name such as "SIGTERM", or null. */
    signal: nullable(string()),
    reason: optional(oneOf(EXIT_REASONS)),
  },
} as const;
