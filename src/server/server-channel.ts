import type { FramedConnection } from '../connection/framed-connection.js';
import type { StreamName } from '../protocol/constants.js';
import type { ExitReason, OpenKind, OpenMessage, ResizeMessage } from '../protocol/messages.js';
import { ProtocolError } from '../errors.js';
import type { AuthenticatedIdentity } from '../security/authenticator.js';

/**
 * The server end of one channel, whatever its kind. The session routes every
 * channel frame here. One pattern for every kind (exec, files, terminals, …):
 *
 * - Every method is implemented. A kind that does not take a message refuses
 *   it by throwing a ProtocolError (the session turns that into an `error`
 *   frame and a close, PROTOCOL.md §7); `refuseSeek`/`refuseDone` below are
 *   the shared refusals.
 * - Its context extends ChannelSetup, and the channel calls `onEnded()`
 *   exactly once: after its final frame was sent, or when it was abandoned.
 * - Its factory is typed by kind and listed in channel-kinds.ts.
 */
export interface ServerChannel {
  readonly id: number;
  /** Starts the channel's work; a rejection fails the connection (an internal error). */
  start(): Promise<void>;
  onData(stream: StreamName, body: Buffer): void;
  onEof(stream: StreamName): void;
  onWindow(bytes: number): void;
  onSignal(name: string): void;
  /** PROTOCOL.md §9.1: where put data starts. */
  onSeek(offset: number): void;
  /** PROTOCOL.md §9.1: the client finished sending, with the whole file's SHA-256. */
  onDone(sha256: string | undefined): Promise<void>;
  /** PROTOCOL.md §11.2: the client's terminal changed size (terminal channels; others refuse it). */
  onResize(size: TerminalSize): void;
  /** Ends the channel's work on behalf of the server (cancel, timeout, shutdown). */
  terminate(reason: ExitReason): void;
  /** The connection is gone: stop sending and release everything. */
  abandon(): void;
}

/** What a session hands a channel factory; each kind's context extends it. */
export interface ChannelSetup {
  readonly conn: FramedConnection;
  /** Peer address, for the audit log. */
  readonly remote: string;
  /** The client's key fingerprint once authenticated (null on an --insecure server), for the audit log. */
  readonly fingerprint: string | null;
  /** The whole identity (comment, authorized_keys options) behind `fingerprint`, when there is one. */
  readonly identity?: AuthenticatedIdentity | null;
  /** Both ends of the connection, for FRAMESH_CONNECTION (PROTOCOL.md §11.4). */
  readonly endpoints: ConnectionEndpoints;
  /** Call exactly once when the channel has sent its final frame (or was abandoned). */
  readonly onEnded: () => void;
}

/** A terminal's size in cells (and, informational, pixels): PROTOCOL.md §11. */
export type TerminalSize = Pick<ResizeMessage, 'cols' | 'rows' | 'widthPx' | 'heightPx'>;

/** The connection's addresses, as OpenSSH's SSH_CONNECTION gives them to commands. */
export interface ConnectionEndpoints {
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly serverAddress: string;
  readonly serverPort: number;
}

/** The `open` message of one kind. */
export type OpenMessageOf<K extends OpenKind> = Extract<OpenMessage, { readonly kind: K }>;

/** Makes the channel for one `open` of kind K. */
export type ChannelFactory<K extends OpenKind = OpenKind> = (
  open: OpenMessageOf<K>,
  setup: ChannelSetup,
) => ServerChannel;

// The refusals kinds share for messages they do not take (PROTOCOL.md §7: a protocol error fails the
// connection), so every kind words them alike.

export function refuseSeek(): never {
  throw new ProtocolError('"seek" on a channel that is not a put');
}

export function refuseDone(): Promise<never> {
  throw new ProtocolError('"done" on a channel that is not a put');
}

export function refuseSignal(): never {
  throw new ProtocolError('signals apply to exec channels only');
}

export function refuseResize(): never {
  throw new ProtocolError('"resize" on a channel that has no terminal');
}
