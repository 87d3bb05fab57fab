import type { Infer, Shape } from './message-fields.js';
import type {
  CHANNEL_MESSAGES,
  CONNECTION_MESSAGES,
  EXIT_REASONS,
  FILE_STAT,
  FILE_TYPES,
  OPEN_COMMON,
  OPEN_KINDS,
  PEER_LIMITS,
} from './message-catalog.js';

/**
 * The message types of PROTOCOL.md §4–§10, derived from the one table in
 * message-catalog.ts (which the validator also runs), so a type can never
 * promise a field the validator did not check. Each type is one frame header
 * `type`; data bytes never travel in these headers, only in frame bodies.
 * To add a message or a field, edit message-catalog.ts; the names below are
 * aliases for the code that uses them.
 */

type Catalog<T extends Readonly<Record<string, Shape>>> = {
  [K in keyof T & string]: { readonly type: K } & Infer<T[K]>;
};

type ConnectionCatalog = Catalog<typeof CONNECTION_MESSAGES>;
type ChannelCatalog = Catalog<typeof CHANNEL_MESSAGES>;
type OpenCatalog = {
  [K in keyof typeof OPEN_KINDS]: { readonly type: 'open'; readonly kind: K } & Infer<typeof OPEN_COMMON> &
    Infer<(typeof OPEN_KINDS)[K]>;
};

export type OpenKind = keyof typeof OPEN_KINDS;
export type ExitReason = (typeof EXIT_REASONS)[number];
export type FileType = (typeof FILE_TYPES)[number];
export type PeerLimits = Infer<typeof PEER_LIMITS>;
export type FileStat = Infer<typeof FILE_STAT>;

export type HelloMessage = ConnectionCatalog['hello'];
/** Without `ch` the error is fatal for the connection; with `ch` it ends that channel. */
export type ErrorMessage = ConnectionCatalog['error'];
export type PingMessage = ConnectionCatalog['ping'];
export type PongMessage = ConnectionCatalog['pong'];
/** Server stops taking new channels (shutdown); running ones continue. */
export type GoawayMessage = ConnectionCatalog['goaway'];
/** PROTOCOL.md §10: the client proves possession of its key, bound to this TLS session. */
export type AuthMessage = ConnectionCatalog['auth'];
export type AuthOkMessage = ConnectionCatalog['auth-ok'];

export type ExecOpenMessage = OpenCatalog['exec'];
/** PROTOCOL.md §9.1: upload a file to `path` under the server's file root. */
export type PutOpenMessage = OpenCatalog['put'];
/** PROTOCOL.md §9.2: download the file at `path`. */
export type GetOpenMessage = OpenCatalog['get'];
/** PROTOCOL.md §9.3: what is at `path` (and, with `list`, a directory's entries in the `done` body). */
export type StatOpenMessage = OpenCatalog['stat'];
/** PROTOCOL.md §9.4: make a directory (and missing parents inside the root); answered like stat. */
export type MkdirOpenMessage = OpenCatalog['mkdir'];
export type OpenMessage = OpenCatalog[OpenKind];

export type OpenedMessage = ChannelCatalog['opened'];
export type DataMessage = ChannelCatalog['data'];
export type EofMessage = ChannelCatalog['eof'];
export type WindowMessage = ChannelCatalog['window'];
export type SignalMessage = ChannelCatalog['signal'];
export type CancelMessage = ChannelCatalog['cancel'];
/** PROTOCOL.md §9.1: the client tells where its put data starts (the offered offset, or 0 to start over). */
export type SeekMessage = ChannelCatalog['seek'];
/** PROTOCOL.md §9: end of a file channel (from the client after put data; from the server, the final frame). */
export type DoneMessage = ChannelCatalog['done'];
export type ExitMessage = ChannelCatalog['exit'];

export type ConnectionMessage = ConnectionCatalog[keyof ConnectionCatalog];
export type ChannelMessage = OpenMessage | ChannelCatalog[keyof ChannelCatalog];
export type Message = ConnectionMessage | ChannelMessage;
export type MessageType = Message['type'];
