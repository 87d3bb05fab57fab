import { EventEmitter } from 'node:events';
import { checkOptionalTimerMs } from '../durations.js';
import type { FramedConnection } from '../connection/framed-connection.js';
import { DEFAULT_WINDOW_BYTES } from '../protocol/constants.js';
import type { ExecOpenMessage, HelloMessage, Message, OpenMessage, ShellOpenMessage } from '../protocol/messages.js';
import { captureCallerSite, ConnectionError, FrameshError, ProtocolError, withCallerSite } from '../errors.js';
import { ExecCall } from './exec-call.js';
import type { CallTransport, ClientChannel } from './client-channel.js';
import { ptyRequest, TerminalCall, type PtyOptions } from './terminal-call.js';
import { runToCompletion, type RunOptions, type RunResult } from './run.js';
import { remoteReadStream, remoteWriteStream } from './files/remote-streams.js';
import type { DirectoryTransferOptions, DirectoryTransferResult } from './files/tree-transfers.js';

/**
 * put, get, stat, mkdir, glob and the directory transfers return promises, so their code loads on first
 * use: a client that only runs commands (`framesh exec host -- true`) skips ~10 ms of module loading.
 */
const fileTransfers = (): Promise<typeof import('./files/transfers.js')> => import('./files/transfers.js');
const treeTransfers = (): Promise<typeof import('./files/tree-transfers.js')> => import('./files/tree-transfers.js');
import type { RemoteMatch, RemoteStat, TransferOptions, TransferResult } from './files/transfer-types.js';
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
  /** The client's LANG / LC_* variables for the remote command (PROTOCOL.md §11.4). */
  locale?: Record<string, string>;
}

/** A command on a remote terminal (`framesh exec -t`). */
export interface TerminalExecOptions extends ExecOptions {
  pty: PtyOptions;
}

/** The account's login shell (`framesh shell`): on a terminal with `pty`, over pipes without (`ssh -T`). */
export interface ShellOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  windowBytes?: number;
  locale?: Record<string, string>;
  pty?: PtyOptions;
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
export class FrameshClient extends EventEmitter<ClientEvents> {
  /** The server's hello: version, agent, capabilities, limits. */
  readonly server: HelloMessage;
  private readonly conn: FramedConnection;
  private readonly calls = new Map<number, ClientChannel>();
  private nextChannelId = 1;
  private goneError: FrameshError | null = null;
  private draining = false;

  /**
   * Not for direct use: `connect()` builds the client after the handshake (client/handshake.ts).
   * (Not `@internal`: stripping it would give the published class an implicit no-argument constructor.)
   */
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
  exec(command: string | readonly string[], options: TerminalExecOptions): TerminalCall;
  exec(command: string | readonly string[], options?: ExecOptions): ExecCall;
  exec(command: string | readonly string[], options: ExecOptions & { pty?: PtyOptions } = {}): ExecCall {
    checkOptionalTimerMs('timeoutMs', options.timeoutMs, 1);
    const windowBytes = options.windowBytes ?? DEFAULT_WINDOW_BYTES;
    const pty = options.pty;
    return this.openChannel(
      (ch, link) => (pty ? new TerminalCall(ch, link, windowBytes) : new ExecCall(ch, link, windowBytes)),
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
        ...(options.locale !== undefined && { locale: options.locale }),
        ...(pty && { pty: ptyRequest(pty) }),
      }),
    );
  }

  /**
   * Starts the account's login shell (`$SHELL -l`) in its home directory (or `cwd`). With `pty` it is an
   * interactive terminal session (check `server.capabilities` for "pty"); without, the shell reads
   * commands from `stdin`.
   */
  shell(options: ShellOptions & { pty: PtyOptions }): TerminalCall;
  shell(options?: ShellOptions): ExecCall;
  shell(options: ShellOptions = {}): ExecCall {
    const windowBytes = options.windowBytes ?? DEFAULT_WINDOW_BYTES;
    const pty = options.pty;
    return this.openChannel(
      (ch, link) => (pty ? new TerminalCall(ch, link, windowBytes) : new ExecCall(ch, link, windowBytes)),
      (ch): ShellOpenMessage => ({
        type: 'open',
        ch,
        kind: 'shell',
        window: windowBytes,
        ...(options.cwd !== undefined && { cwd: options.cwd }),
        ...(options.env !== undefined && { env: options.env }),
        ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
        ...(options.locale !== undefined && { locale: options.locale }),
        ...(pty && { pty: ptyRequest(pty) }),
      }),
    );
  }

  /**
   * @internal Opens a channel of any kind: `make` builds the local end, `open`
   * the frame. The channel is routed frames until its `settled` promise ends.
   */
  openChannel<T extends ClientChannel>(
    make: (ch: number, link: CallTransport) => T,
    open: (ch: number) => OpenMessage,
  ): T {
    const ch = this.nextChannelId++;
    const conn = this.conn;
    const openMessage = open(ch);
    // What is typed into a terminal is written at once (FramedConnection.sendData).
    const interactive = 'pty' in openMessage && openMessage.pty !== undefined;
    const channel = make(ch, {
      send: (m, b) => conn.send(m, b),
      sendData: (stream, body) => conn.sendData(ch, stream, body, interactive),
      maxChunkBytes: () => conn.maxDataFrameBytes,
      get writable() {
        return conn.writable;
      },
      whenWritable: (wake) => conn.whenWritable(wake),
    });
    if (this.goneError || this.draining) {
      channel.fail(
        this.goneError ?? new FrameshError('SHUTTING_DOWN', 'server is shutting down and takes no new channels'),
      );
      return channel;
    }
    this.calls.set(ch, channel);
    const forget = (): void => {
      this.calls.delete(ch);
    };
    channel.settled.then(forget, forget);
    this.conn.send(openMessage);
    return channel;
  }

  /**
   * Runs a command to completion and collects its output (see {@link RunOptions}):
   * strings by default, Buffers with `encoding: 'buffer'`.
   */
  run(command: string | readonly string[], options: RunOptions & { encoding: 'buffer' }): Promise<RunResult<Buffer>>;
  run(command: string | readonly string[], options?: RunOptions & { encoding?: 'utf8' }): Promise<RunResult<string>>;
  run(command: string | readonly string[], options: RunOptions = {}): Promise<RunResult> {
    // The call's own site (captured once, in ExecCall) also marks run()'s failures: a second capture per
    // command cost the client ~0.02 ms (100 clients × `echo hi`).
    const call = this.exec(command, options);
    return withCallerSite(runToCompletion(call, options), call.callerSite);
  }

  /**
   * Uploads a local file to `remotePath` (under the server's file root; an
   * existing directory receives the file under its own name). Verified by
   * SHA-256 end to end, atomic on the server, resumable.
   */
  put(localPath: string, remotePath: string, options?: TransferOptions): Promise<TransferResult> {
    return withCallerSite(
      fileTransfers().then((t) => t.putFile(this, localPath, remotePath, options)),
      captureCallerSite(this.put),
    );
  }

  /** Downloads `remotePath` to `localPath` (or into it, if it is a directory); verified, atomic, resumable. */
  get(remotePath: string, localPath: string, options?: TransferOptions): Promise<TransferResult> {
    return withCallerSite(
      fileTransfers().then((t) => t.getFile(this, remotePath, localPath, options)),
      captureCallerSite(this.get),
    );
  }

  /**
   * Copies the contents of a local directory into `remoteDir` (made when missing), empty directories
   * included; `filter` picks entries, `onProgress` reports each file.
   */
  putDirectory(
    localDir: string,
    remoteDir: string,
    options?: DirectoryTransferOptions,
  ): Promise<DirectoryTransferResult> {
    return treeTransfers().then((t) => t.putDirectory(this, localDir, remoteDir, options));
  }

  /** Copies the contents of a remote directory into `localDir`; every name the server lists is checked. */
  getDirectory(
    remoteDir: string,
    localDir: string,
    options?: DirectoryTransferOptions,
  ): Promise<DirectoryTransferResult> {
    return treeTransfers().then((t) => t.getDirectory(this, remoteDir, localDir, options));
  }

  /** Expands a shell pattern (`logs/*.log`) on the server, within its file root; sorted, maybe empty. */
  glob(pattern: string): Promise<RemoteMatch[]> {
    return fileTransfers().then((t) => t.globRemote(this, pattern));
  }

  /** What is at a remote path; with `list`, a directory's entries. */
  stat(remotePath: string, options: { list?: boolean } = {}): Promise<RemoteStat> {
    return withCallerSite(
      fileTransfers().then((t) => t.statRemote(this, remotePath, options.list ?? false)),
      captureCallerSite(this.stat),
    );
  }

  /**
   * Makes a directory under the server's file root, with any missing parents
   * (`mkdir -p`); an existing directory is fine. `mode` applies to a directory
   * made now (default 0755, less the server's umask).
   */
  mkdir(remotePath: string, options: { mode?: number } = {}): Promise<RemoteStat> {
    return withCallerSite(
      fileTransfers().then((t) => t.mkdirRemote(this, remotePath, options.mode)),
      captureCallerSite(this.mkdir),
    );
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
    if (message.type === 'resize') throw new ProtocolError('a server may not send "resize"');
    if (!('ch' in message) || message.ch === undefined) return;
    const call = this.calls.get(message.ch);
    if (call) {
      call.handle(message, body);
      return;
    }
    // Frames for a channel we already settled (timeout, cancel) may still arrive; anything else is a broken server.
    if (message.ch >= this.nextChannelId)
      throw new FrameshError(
        'UNKNOWN_CHANNEL',
        `server sent a frame for channel ${message.ch}, which was never opened`,
      );
  }

  private onClose(error: FrameshError | null): void {
    this.goneError = error ?? new ConnectionError('CONNECTION_CLOSED', 'connection closed');
    for (const call of this.calls.values()) call.fail(this.goneError);
    this.calls.clear();
    this.emit('close', error);
  }
}
