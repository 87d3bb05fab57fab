import type { StreamName } from './constants.js';

/**
 * The message catalog of PROTOCOL.md §4–§7. Each interface is one frame header
 * `type`; data bytes never travel in these headers, only in frame bodies.
 */

export interface PeerLimits {
  readonly maxHeaderBytes: number;
  readonly maxBodyBytes: number;
  readonly maxChannels: number;
}

export interface HelloMessage {
  readonly type: 'hello';
  readonly version: string;
  readonly agent: string;
  readonly capabilities: readonly string[];
  readonly limits: PeerLimits;
}

/** Without `ch` the error is fatal for the connection; with `ch` it ends that channel. */
export interface ErrorMessage {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
  readonly ch?: number;
}

export interface PingMessage { readonly type: 'ping'; readonly id: number }
export interface PongMessage { readonly type: 'pong'; readonly id: number }
/** Server stops taking new channels (shutdown); running ones continue. */
export interface GoawayMessage { readonly type: 'goaway'; readonly reason: string }

/** PROTOCOL.md §11.1: the terminal a command runs on. */
export interface PtyRequest {
  /** Becomes TERM; 1-64 characters of [A-Za-z0-9._+-]. */
  readonly term: string;
  readonly cols: number;
  readonly rows: number;
  readonly widthPx?: number;
  readonly heightPx?: number;
}

/** PROTOCOL.md §11.2: a new size for a channel's terminal. */
export interface ResizeMessage {
  readonly type: 'resize';
  readonly ch: number;
  readonly cols: number;
  readonly rows: number;
  readonly widthPx?: number;
  readonly heightPx?: number;
}

export interface ExecOpenMessage {
  readonly type: 'open';
  readonly ch: number;
  readonly kind: 'exec';
  /** A string runs through the shell; an array is an argv run without one. */
  readonly command: string | readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly login?: boolean;
  /** Run on a pseudo-terminal (PROTOCOL.md §11). */
  readonly pty?: PtyRequest;
  /** The client's LANG / LC_* variables (PROTOCOL.md §11.4). */
  readonly locale?: Readonly<Record<string, string>>;
  /** Initial window the opener grants for data sent to it (PROTOCOL.md §5). */
  readonly window: number;
}

/** PROTOCOL.md §11.1: the account's login shell, on a terminal when `pty` is given. */
export interface ShellOpenMessage {
  readonly type: 'open';
  readonly ch: number;
  readonly kind: 'shell';
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly pty?: PtyRequest;
  readonly locale?: Readonly<Record<string, string>>;
  readonly window: number;
}
/** PROTOCOL.md §9.1: upload a file to `path` under the server's file root. */
export interface PutOpenMessage {
  readonly type: 'open';
  readonly ch: number;
  readonly kind: 'put';
  readonly path: string;
  /** The source's base name: used when `path` names an existing directory (as scp does). */
  readonly name?: string;
  /** Total bytes; absent for a stream of unknown length (no resume then). */
  readonly size?: number;
  readonly mode?: number;
  readonly mtimeMs?: number;
  /** Continue a partial upload left by an interrupted one (default true). */
  readonly resume?: boolean;
  /** Create missing parent directories. */
  readonly mkdirs?: boolean;
  readonly window: number;
}

/** PROTOCOL.md §9.2: download the file at `path`. */
export interface GetOpenMessage {
  readonly type: 'open';
  readonly ch: number;
  readonly kind: 'get';
  readonly path: string;
  /** Bytes the client already holds from an interrupted download... */
  readonly offset?: number;
  /** ...and their SHA-256 (hex), so the server can check they are a prefix of the file. */
  readonly prefixSha256?: string;
  readonly window: number;
}

/** PROTOCOL.md §9.3: what is at `path` (and, with `list`, a directory's entries in the `done` body). */
export interface StatOpenMessage {
  readonly type: 'open';
  readonly ch: number;
  readonly kind: 'stat';
  readonly path: string;
  readonly list?: boolean;
  readonly window: number;
}

/** PROTOCOL.md §9.4: make a directory (and missing parents inside the root); answered like stat. */
export interface MkdirOpenMessage {
  readonly type: 'open';
  readonly ch: number;
  readonly kind: 'mkdir';
  readonly path: string;
  /** Permission bits of a directory made now (default 0755, less the server's umask). */
  readonly mode?: number;
  readonly window: number;
}

export type OpenMessage =
  | ExecOpenMessage
  | ShellOpenMessage
  | PutOpenMessage | GetOpenMessage | StatOpenMessage | MkdirOpenMessage;

export type FileType = 'file' | 'directory' | 'none' | 'other';

export interface FileStat {
  readonly type: FileType;
  readonly size: number;
  readonly mode: number;
  readonly mtimeMs: number;
}

export interface OpenedMessage {
  readonly type: 'opened';
  readonly ch: number;
  readonly window: number;
  /** put: bytes of a partial upload already on the server; get: where the data will start. */
  readonly offset?: number;
  /** put: SHA-256 (hex) of those `offset` bytes. */
  readonly prefixSha256?: string;
  /** get: the file's size, mode and modification time. */
  readonly size?: number;
  readonly mode?: number;
  readonly mtimeMs?: number;
}
/** PROTOCOL.md §9.1: the client tells where its put data starts (the offered offset, or 0 to start over). */
export interface SeekMessage { readonly type: 'seek'; readonly ch: number; readonly offset: number }
/**
 * PROTOCOL.md §9: end of a file channel. From the client (put): all data sent, with its SHA-256.
 * From the server: the final frame of put, get, stat and mkdir.
 */
export interface DoneMessage {
  readonly type: 'done';
  readonly ch: number;
  readonly sha256?: string;
  readonly size?: number;
  readonly stat?: FileStat;
  readonly len?: number;
}
export interface DataMessage { readonly type: 'data'; readonly ch: number; readonly stream: StreamName; readonly len?: number }
export interface EofMessage { readonly type: 'eof'; readonly ch: number; readonly stream: StreamName }
export interface WindowMessage { readonly type: 'window'; readonly ch: number; readonly bytes: number }
export interface SignalMessage { readonly type: 'signal'; readonly ch: number; readonly signal: string }
export interface CancelMessage { readonly type: 'cancel'; readonly ch: number }

/** Why a command was ended by the server rather than by itself. */
export type ExitReason = 'timeout' | 'cancel' | 'disconnect' | 'shutdown';

export interface ExitMessage {
  readonly type: 'exit';
  readonly ch: number;
  /** Exit code, or null when ended by a signal. */
  readonly code: number | null;
  /** Signal name such as "SIGTERM", or null. */
  readonly signal: string | null;
  readonly reason?: ExitReason;
}

/** PROTOCOL.md §10: the client proves possession of its key, bound to this TLS session. */
export interface AuthMessage {
  readonly type: 'auth';
  readonly method: 'ed25519';
  /** The client's public key as an OpenSSH line: `ssh-ed25519 AAAA… [comment]`. */
  readonly publicKey: string;
  /** Base64 Ed25519 signature over the §10 payload. */
  readonly signature: string;
}
export interface AuthOkMessage { readonly type: 'auth-ok'; readonly fingerprint: string }

export type ConnectionMessage = HelloMessage | ErrorMessage | PingMessage | PongMessage | GoawayMessage | AuthMessage | AuthOkMessage;
export type ChannelMessage =
  | OpenMessage
  | OpenedMessage
  | DataMessage
  | EofMessage
  | WindowMessage
  | SignalMessage
  | CancelMessage
  | ExitMessage
  | SeekMessage
  | DoneMessage
  | ResizeMessage;
export type Message = ConnectionMessage | ChannelMessage;
export type MessageType = Message['type'];
