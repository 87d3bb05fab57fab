import { ReceiveWindow, SendWindow } from '../../protocol/flow-control.js';
import type { ExecOpenMessage, ExitReason } from '../../protocol/messages.js';
import type { StreamName } from '../../protocol/constants.js';
import { ProtocolError } from '../../errors.js';
import { buildLaunchSpec } from '../process/command-line.js';
import { commandEnvironment } from '../process/command-environment.js';
import type { ExitStatus, LaunchSpec, ProcessLauncher, RunningProcess } from '../process/launcher.js';
import {
  refuseDone,
  refuseResize,
  refuseSeek,
  type ChannelSetup,
  type ServerChannel,
  type TerminalSize,
} from '../server-channel.js';
import { SpawnError, toSpawnError } from '../process/spawn-error.js';
import { hasRoomBeforeChunks, sendSourceChunk } from './chunks-with-room.js';
import { OutputPump } from './output-pump.js';
import { parseSignalName } from './signals.js';

/** What a channel needs from its session (ChannelSetup) and server. */
export interface ExecChannelContext extends ChannelSetup {
  readonly launcher: ProcessLauncher;
  readonly defaultCwd: string;
  readonly baseEnv: NodeJS.ProcessEnv;
  readonly login: boolean;
  /** Server cap on any command's run time; 0 for none. */
  readonly maxTimeoutMs: number;
  /** Time between SIGTERM and SIGKILL when the server ends a command. */
  readonly killGraceMs: number;
  readonly stdinWindowBytes: number;
  readonly events: ExecChannelEvents;
}

/** Hooks for the audit log. */
export interface ExecChannelEvents {
  started(channel: ExecChannel, pid: number): void;
  ended(channel: ExecChannel, summary: ExecSummary): void;
}

export interface ExecSummary {
  readonly status: ExitStatus | null;
  readonly reason: ExitReason | null;
  readonly errorCode: string | null;
  readonly stdoutBytes: number;
  readonly stderrBytes: number;
  readonly durationMs: number;
}

/**
 * One command on one channel (PROTOCOL.md §4): starts the process, streams
 * stdout and stderr within the send window, feeds stdin within the window it
 * granted, and sends `exit` exactly once, after the last output byte.
 */
export class ExecChannel implements ServerChannel {
  readonly id: number;
  readonly request: ExecOpenMessage;
  protected readonly ctx: ExecChannelContext;
  private readonly sendWindow: SendWindow;
  private readonly stdinWindow: ReceiveWindow;
  private readonly startedAt = performance.now();
  protected process: RunningProcess | null = null;
  private pumps: OutputPump[] = [];
  protected endReason: ExitReason | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private timeoutTimer: NodeJS.Timeout | null = null;
  private pendingSignals: NodeJS.Signals[] = [];
  private stdinOpen = true;
  private bytesOut = { stdout: 0, stderr: 0 };
  protected ended = false;
  /** Output a person watches as it comes (a terminal's): each frame is written at once (sendData). */
  protected readonly interactiveOutput: boolean = false;

  constructor(request: ExecOpenMessage, ctx: ExecChannelContext) {
    this.id = request.ch;
    this.request = request;
    this.ctx = ctx;
    this.sendWindow = new SendWindow(request.window);
    this.stdinWindow = new ReceiveWindow(ctx.stdinWindowBytes);
  }

  get commandText(): string {
    const { command } = this.request;
    return typeof command === 'string' ? command : JSON.stringify(command);
  }

  get pid(): number | null {
    return this.process?.pid ?? null;
  }

  async start(): Promise<void> {
    const spec = buildLaunchSpec({
      command: this.request.command,
      login: this.request.login ?? this.ctx.login,
      cwd: this.request.cwd ?? this.ctx.defaultCwd,
      env: commandEnvironment(this.ctx.baseEnv, { ...this.request, term: this.request.pty?.term }, this.ctx.endpoints),
    });
    let proc: RunningProcess;
    try {
      proc = await this.launchProcess(spec);
    } catch (err) {
      // A launcher may throw the raw errno error (spawn() throws ENOTDIR for a cwd that is a regular file
      // synchronously); it is mapped like any other so the client gets ENOENT_CWD, not SPAWN_FAILED.
      const error =
        err instanceof SpawnError
          ? err
          : typeof (err as NodeJS.ErrnoException).code === 'string'
            ? await toSpawnError(err as NodeJS.ErrnoException, spec.file, spec.cwd)
            : new SpawnError('SPAWN_FAILED', `could not start command: ${String(err)}`);
      this.ctx.conn.send({ type: 'error', ch: this.id, code: error.code, message: error.message });
      this.finish(null, error.code);
      return;
    }
    this.ctx.events.started(this, proc.pid);
    proc.stdin.on('error', () => {
      // EPIPE: the command stopped reading. Later stdin is dropped; the exit status tells the rest.
      this.stdinOpen = false;
    });
    this.process = proc;
    this.pumps = [this.pump(proc, 'stdout'), this.pump(proc, 'stderr')];
    this.ctx.conn.send({ type: 'opened', ch: this.id, window: this.ctx.stdinWindowBytes });
    this.armTimeout();
    for (const signal of this.pendingSignals) proc.signalGroup(signal);
    if (this.endReason) this.terminate(this.endReason);
    const streamsDone = (['stdout', 'stderr'] as const).map((stream, i) =>
      (this.pumps[i] as OutputPump).done.then(() => {
        this.ctx.conn.send({ type: 'eof', ch: this.id, stream });
      }),
    );
    if (!this.stdinOpen) proc.stdin.end();
    const [status] = await Promise.all([proc.exited, ...streamsDone]);
    this.onExit(status);
  }

  /** How the command starts: through the server's launcher here; on a terminal in TerminalChannel. */
  protected launchProcess(spec: LaunchSpec): Promise<RunningProcess> {
    return this.ctx.launcher.launch(spec);
  }

  onData(stream: StreamName, body: Buffer): void {
    if (stream !== 'stdin') throw new ProtocolError(`a client may only send stdin data, not ${stream}`);
    // Before `opened` the client has no window: stdin sent then would be lost, so it is refused loudly.
    if (!this.process && !this.ended) throw new ProtocolError('stdin data before "opened"');
    this.stdinWindow.receive(body.length);
    const proc = this.process;
    if (!proc || !this.stdinOpen || proc.stdin.writableEnded) {
      this.creditStdin(body.length);
      return;
    }
    proc.stdin.write(body, () => this.creditStdin(body.length));
  }

  onEof(stream: StreamName): void {
    if (stream !== 'stdin') throw new ProtocolError(`a client may only end stdin, not ${stream}`);
    this.stdinOpen = false;
    this.process?.stdin.end();
  }

  onWindow(bytes: number): void {
    this.sendWindow.grant(bytes);
    for (const pump of this.pumps) pump.flush();
  }

  onSignal(name: string): void {
    const signal = parseSignalName(name);
    if (this.process) this.process.signalGroup(signal);
    else this.pendingSignals.push(signal);
  }

  /**
   * Ends the command's whole process group: SIGTERM, then SIGKILL after the
   * grace period. Used for cancel, timeout, disconnect and shutdown.
   */
  terminate(reason: ExitReason): void {
    if (this.ended || this.killTimer) return;
    this.endReason ??= reason;
    const proc = this.process;
    if (!proc) return; // start() applies it once the process exists.
    proc.signalGroup('SIGTERM');
    this.killTimer = setTimeout(() => proc.signalGroup('SIGKILL'), this.ctx.killGraceMs);
    this.killTimer.unref();
  }

  onResize(_size: TerminalSize): void {
    refuseResize();
  }

  onSeek(): void {
    refuseSeek();
  }

  onDone(): Promise<void> {
    return refuseDone();
  }

  /** The connection is gone: stop sending and end the command. */
  abandon(): void {
    for (const pump of this.pumps) pump.discard();
    this.terminate('disconnect');
  }

  private pump(proc: RunningProcess, stream: 'stdout' | 'stderr'): OutputPump {
    const source = stream === 'stdout' ? proc.stdout : proc.stderr;
    const conn = this.ctx.conn;
    const roomy = hasRoomBeforeChunks(source) ? source : null;
    return new OutputPump(
      source,
      this.sendWindow,
      conn,
      (chunk) => {
        this.bytesOut[stream] += chunk.length;
        sendSourceChunk(conn, this.id, stream, chunk, roomy, this.interactiveOutput);
      },
      () => conn.maxDataFrameBytes,
    );
  }

  private creditStdin(bytes: number): void {
    const grant = this.stdinWindow.consume(bytes);
    if (grant > 0 && !this.ended) this.ctx.conn.send({ type: 'window', ch: this.id, bytes: grant });
  }

  private armTimeout(): void {
    const requested = this.request.timeoutMs ?? 0;
    const cap = this.ctx.maxTimeoutMs;
    const timeoutMs = requested && cap ? Math.min(requested, cap) : requested || cap;
    if (!timeoutMs) return;
    this.timeoutTimer = setTimeout(() => this.terminate('timeout'), timeoutMs);
    this.timeoutTimer.unref();
  }

  private onExit(status: ExitStatus): void {
    // A group member may outlive the leader; the grace timer still reaches it.
    const exit = { type: 'exit', ch: this.id, code: status.code, signal: status.signal } as const;
    this.ctx.conn.send(this.endReason ? { ...exit, reason: this.endReason } : exit);
    this.finish(status, this.endReason === 'timeout' ? 'TIMEOUT' : null);
  }

  private finish(status: ExitStatus | null, errorCode: string | null): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
    this.ctx.onEnded();
    this.ctx.events.ended(this, {
      status,
      reason: this.endReason,
      errorCode,
      stdoutBytes: this.bytesOut.stdout,
      stderrBytes: this.bytesOut.stderr,
      durationMs: performance.now() - this.startedAt,
    });
  }
}
