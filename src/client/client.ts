import { EventEmitter } from 'node:events';
import { checkOptionalTimerMs } from '../durations.js';
import type { FramedConnection } from '../connection/framed-connection.js';
import { DEFAULT_WINDOW_BYTES } from '../protocol/constants.js';
import type { ExecOpenMessage, HelloMessage, Message, OpenMessage } from '../protocol/messages.js';
import { ConnectionError, FrameshError } from '../errors.js';
import { ExecCall } from './exec-call.js';
import type { CallTransport, ChannelOpener, ClientChannel } from './client-channel.js';
import { runToCompletion, type RunOptions, type RunResult } from './run.js';
import { getFile, mkdirRemote, putFile, remoteReadStream, remoteWriteStream, statRemote } from './files/transfers.js';
import type { RemoteStat, TransferOptions, TransferResult } from './files/transfer-types.js';
import type { Readable, Writable } from 'node:stream';

export interface ExecOptions {
  /** Working directory on the server (default: the server's default, its account's home). */
  cwd?: string;
  /** Variables added to the command's environment. */
  env?: Record<string, string>;
  /** The server ends the command after this many ms (capped by its --max-timeout). */
  timeoutMs?: number;
  /** Run through the account's login shell (`$SHELL -lc`), as an interactive login would. */
  login?: boolean;
  /** Receive window per channel in bytes (default 4 MiB). */
  windowBytes?: number;
}

export interface ClientEvents {
  /** Once, when the connection is gone; `error` is null for an orderly close. */
  close: [error: FrameshError | null];
}

/**
 * A connection to a framesh server. Commands run on channels of this one
 * connection, any number at once. It never emits 'error': a lost connection
 * rejects every pending call once with a typed error and emits 'close'.
 */
export class FrameshClient extends EventEmitter<ClientEvents> implements ChannelOpener {
  /** The server's hello: version, agent, capabilities, limits. */
  readonly server: HelloMessage;
  private readonly conn: FramedConnection;
  private readonly calls = new Map<number, ClientChannel>();
  private nextChannelId = 1;
  private goneError: FrameshError | null = null;
  private draining = false;

  /** @internal Use `connect()`; the handshake (client/handshake.ts) builds the client. */
  constructor(conn: FramedConnection, serverHello: HelloMessage) {
    super();
    this.conn = conn;
    this.server = serverHello;
    conn.on('message', (message, body) => this.onMessage(message, body));
    conn.on('close', (error) => this.onClose(error));
  }

  get closed(): boolean {
    return this.goneError !== null || this.conn.closed;
  }

  /**
   * Starts a command. A string runs through the server's shell; an array is
   * an argv run without a shell. Read `stdout`/`stderr`, write `stdin`, and
   * await `exit`.
   */
  exec(command: string | readonly string[], options: ExecOptions = {}): ExecCall {
    checkOptionalTimerMs('timeoutMs', options.timeoutMs, 1);
    const windowBytes = options.windowBytes ?? DEFAULT_WINDOW_BYTES;
    return this.openChannel(
      (ch, link) => new ExecCall(ch, link, windowBytes),
      (ch): ExecOpenMessage => ({
        type: 'open',
        ch,
        kind: 'exec',
        command,
        window: windowBytes,
        ...(options.cwd !== undefined && { cwd: options.cwd }),
        ...(options.env !== undefined && { env: options.env }),
        ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
        ...(options.login !== undefined && { login: options.login }),
      }),
    );
  }

  /**
   * @internal Opens a channel of any kind: `make` builds the local end, `open`
   * the frame. The channel is routed frames until its `settled` promise ends.
   */
  openChannel<T extends ClientChannel>(make: (ch: number, link: CallTransport) => T, open: (ch: number) => OpenMessage): T {
    const ch = this.nextChannelId++;
    const conn = this.conn;
    const channel = make(ch, {
      send: (m, b) => conn.send(m, b),
      sendData: (stream, body) => conn.sendData(ch, stream, body),
      maxChunkBytes: () => conn.maxDataFrameBytes,
      get writable() {
        return conn.writable;
      },
      whenWritable: (wake) => conn.whenWritable(wake),
    });
    if (this.goneError || this.draining) {
      channel.fail(this.goneError ?? new FrameshError('SHUTTING_DOWN', 'server is shutting down and takes no new channels'));
      return channel;
    }
    this.calls.set(ch, channel);
    const forget = (): void => {
      this.calls.delete(ch);
    };
    channel.settled.then(forget, forget);
    this.conn.send(open(ch));
    return channel;
  }

  /**
   * Runs a command to completion and collects its output (see {@link RunOptions}):
   * strings by default, Buffers with `encoding: 'buffer'`.
   */
  run(command: string | readonly string[], options: RunOptions & { encoding: 'buffer' }): Promise<RunResult<Buffer>>;
  run(command: string | readonly string[], options?: RunOptions & { encoding?: 'utf8' }): Promise<RunResult<string>>;
  run(command: string | readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return runToCompletion(this.exec(command, options), options);
  }

  /**
   * Uploads a local file to `remotePath` (under the server's file root; an
   * existing directory receives the file under its own name). Verified by
   * SHA-256 end to end, atomic on the server, resumable.
   */
  put(localPath: string, remotePath: string, options?: TransferOptions): Promise<TransferResult> {
    return putFile(this, localPath, remotePath, options);
  }

  /** Downloads `remotePath` to `localPath` (or into it, if it is a directory); verified, atomic, resumable. */
  get(remotePath: string, localPath: string, options?: TransferOptions): Promise<TransferResult> {
    return getFile(this, remotePath, localPath, options);
  }

  /** What is at a remote path; with `list`, a directory's entries. */
  stat(remotePath: string, options: { list?: boolean } = {}): Promise<RemoteStat> {
    return statRemote(this, remotePath, options.list ?? false);
  }

  /**
   * Makes a directory under the server's file root, with any missing parents
   * (`mkdir -p`); an existing directory is fine. `mode` applies to a directory
   * made now (default 0755, less the server's umask).
   */
  mkdir(remotePath: string, options: { mode?: number } = {}): Promise<RemoteStat> {
    return mkdirRemote(this, remotePath, options.mode);
  }

  /** A Writable uploading to `remotePath`; 'finish' comes after the server verified and placed the file. */
  createWriteStream(remotePath: string, options?: { mode?: number; mkdirs?: boolean }): Writable {
    return remoteWriteStream(this, remotePath, options);
  }

  /** A Readable of `remotePath`; it ends with an error if the bytes fail SHA-256 verification. */
  createReadStream(remotePath: string, options?: { windowBytes?: number }): Readable {
    return remoteReadStream(this, remotePath, options);
  }

  /** Closes the connection. Running commands are ended by the server. */
  close(): Promise<void> {
    if (this.conn.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.conn.once('close', () => resolve());
      this.conn.close();
    });
  }

  private onMessage(message: Message, body: Buffer): void {
    if (message.type === 'goaway') {
      this.draining = true;
      return;
    }
    if (message.type === 'ping') {
      this.conn.send({ type: 'pong', id: message.id });
      return;
    }
    if (message.type === 'pong' || message.type === 'hello') return;
    if (!('ch' in message) || message.ch === undefined) return;
    const call = this.calls.get(message.ch);
    if (call) {
      call.handle(message, body);
      return;
    }
    // Frames for a channel we already settled (timeout, cancel) may still arrive; anything else is a broken server.
    if (message.ch >= this.nextChannelId) throw new FrameshError('UNKNOWN_CHANNEL', `server sent a frame for channel ${message.ch}, which was never opened`);
  }

  private onClose(error: FrameshError | null): void {
    this.goneError = error ?? new ConnectionError('CONNECTION_CLOSED', 'connection closed');
    for (const call of this.calls.values()) call.fail(this.goneError);
    this.calls.clear();
    this.emit('close', error);
  }
}
