import type { FramedConnection } from '../connection/framed-connection.js';
import type { StreamName } from '../protocol/constants.js';
import type { ExitReason, OpenMessage, ResizeMessage } from '../protocol/messages.js';

export type TerminalSize = Pick<ResizeMessage, 'cols' | 'rows' | 'widthPx' | 'heightPx'>;

/**
 * The server end of one channel, whatever its kind (exec now; files and
 * terminals plug in the same way). The session routes channel frames here.
 */
export interface ServerChannel {
  readonly id: number;
  /** Runs the channel to its end; resolves after its final frame was sent. */
  start(): Promise<void>;
  onData(stream: StreamName, body: Buffer): void;
  onEof(stream: StreamName): void;
  onWindow(bytes: number): void;
  onSignal(name: string): void;
  /** File channels only (PROTOCOL.md §9): where put data starts. */
  onSeek?(offset: number): void;
  /** File channels only: the client finished sending, with the whole file's SHA-256. */
  onDone?(sha256: string | undefined): Promise<void>;
  /** Terminal channels only (PROTOCOL.md §11.2): the client's terminal changed size. */
  onResize?(size: TerminalSize): void;
  /** Ends the channel's work on behalf of the server (cancel, timeout, shutdown). */
  terminate(reason: ExitReason): void;
  /** The connection is gone: stop sending and release everything. */
  abandon(): void;
}

/** What a session hands a channel factory. */
export interface ChannelSetup {
  readonly conn: FramedConnection;
  /** Peer address, for the audit log. */
  readonly remote: string;
  /** The client's key fingerprint once authenticated (null on an --insecure server), for the audit log. */
  readonly fingerprint: string | null;
  /** Both ends of the connection, for FRAMESH_CONNECTION (PROTOCOL.md §11.4). */
  readonly endpoints: ConnectionEndpoints;
  /** Call exactly once when the channel has sent its final frame. */
  readonly onEnded: () => void;
}

/** Makes the channel for one `open` of a given kind. */
export type ChannelFactory = (open: OpenMessage, setup: ChannelSetup) => ServerChannel;

/** The connection's addresses, as OpenSSH's SSH_CONNECTION gives them to commands. */
export interface ConnectionEndpoints {
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly serverAddress: string;
  readonly serverPort: number;
}
