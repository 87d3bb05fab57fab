import type { StreamName } from '../../protocol/constants.js';
import type { ExecOpenMessage, ExitReason, PtyRequest } from '../../protocol/messages.js';
import { ExecChannel, type ExecChannelContext } from '../exec/exec-channel.js';
import { parseSignalName } from '../exec/signals.js';
import type { LaunchSpec, RunningProcess } from '../process/launcher.js';
import type { TerminalSize } from '../server-channel.js';
import { AsciicastRecorder } from './asciicast-recorder.js';
import type { PtyModule } from './pty-module.js';
import { startTerminal, type TerminalProcess } from './terminal-process.js';

/** Server-wide terminal settings. */
export interface TerminalSettings {
  /** Write each session as an asciicast v2 file in this directory (`serve --record`). */
  readonly recordDir: string | null;
  /** Also record what the client typed (`serve --record-input`). */
  readonly recordInput: boolean;
}

export interface TerminalChannelContext extends ExecChannelContext {
  readonly pty: PtyModule;
  readonly terminal: TerminalSettings;
}

/**
 * An exec channel whose command runs on a pseudo-terminal (PROTOCOL.md §11). Everything of exec holds —
 * windows, the output pump, `exit` after the last byte, timeout, audit — with these differences: the
 * output is the terminal's one stream, stdin `eof` is ignored, `resize` sets the size, a client signal
 * goes to the foreground job, and the server ends a session by hanging it up (SIGHUP and SIGCONT to every
 * process group of the session, as sshd's hang-up does), then SIGTERM and SIGKILL after the grace.
 */
export class TerminalChannel extends ExecChannel {
  readonly pty: PtyRequest;
  private terminalProcess: TerminalProcess | null = null;
  private recorder: AsciicastRecorder | null = null;
  private pendingSize: TerminalSize | null = null;
  private size: TerminalSize;
  private hungUp = false;
  private readonly terminalCtx: TerminalChannelContext;
  protected override readonly interactiveOutput = true;
  /** Resolves once the recording file is complete and closed. */
  private recordingClosed: Promise<void> = Promise.resolve();

  constructor(request: ExecOpenMessage & { readonly pty: PtyRequest }, ctx: TerminalChannelContext) {
    super(request, ctx);
    this.pty = request.pty;
    this.size = request.pty;
    this.terminalCtx = ctx;
  }

  /** The terminal's size now, for the audit log. */
  get currentSize(): TerminalSize {
    return this.size;
  }

  /** The session's recording file, or null when not recording. */
  get recordingFile(): string | null {
    return this.recorder?.file ?? null;
  }

  protected override async launchProcess(spec: LaunchSpec): Promise<RunningProcess> {
    const proc = await startTerminal(this.terminalCtx.pty, spec, this.pty.term, this.pty);
    this.terminalProcess = proc;
    const { recordDir, recordInput } = this.terminalCtx.terminal;
    if (recordDir !== null) this.startRecording(proc, recordDir, recordInput, spec);
    if (this.pendingSize) this.onResize(this.pendingSize);
    // `exit` waits for the recording to be on disk, so a reader who saw the exit sees the whole file.
    const recorded = this.recordingClosed;
    return { ...proc, exited: proc.exited.then(async (status) => (await recorded, status)) };
  }

  override onData(stream: StreamName, body: Buffer): void {
    this.recorder?.input(body);
    super.onData(stream, body);
  }

  /** PROTOCOL.md §11.3: a terminal has no half-close; Ctrl-D (0x04) is how end-of-file is typed. */
  override onEof(_stream: StreamName): void {}

  override onSignal(name: string): void {
    const signal = parseSignalName(name);
    if (this.terminalProcess) this.terminalProcess.signalForeground(signal);
    else super.onSignal(name);
  }

  override onResize(size: TerminalSize): void {
    const proc = this.terminalProcess;
    if (!proc) {
      this.pendingSize = size;
      return;
    }
    this.pendingSize = null;
    if (this.ended) return;
    this.size = size;
    proc.resize(size);
    this.recorder?.resize(size);
  }

  /** Hang-up first (a shell passes SIGHUP to its jobs and exits); exec's SIGTERM/SIGKILL after the grace. */
  override terminate(reason: ExitReason): void {
    if (this.ended || this.hungUp) return;
    this.endReason ??= reason;
    const proc = this.terminalProcess;
    if (!proc) return; // start() calls terminate() again once the process exists.
    this.hungUp = true;
    void proc.signalSession(['SIGHUP', 'SIGCONT']);
    const timer = setTimeout(() => {
      void proc.signalSession(['SIGTERM', 'SIGCONT']);
      const kill = setTimeout(() => void proc.signalSession(['SIGKILL']), this.ctx.killGraceMs);
      kill.unref();
    }, this.ctx.killGraceMs);
    timer.unref();
  }

  private startRecording(proc: TerminalProcess, dir: string, recordInput: boolean, spec: LaunchSpec): void {
    let held = false;
    const recorder = new AsciicastRecorder(
      dir,
      {
        cols: this.pty.cols,
        rows: this.pty.rows,
        term: this.pty.term,
        shell: spec.env.SHELL,
        command: this.commandText,
      },
      recordInput,
      (blocked) => {
        // A disk slower than the session: stop reading the terminal rather than buffer without limit.
        if (blocked && !held) proc.output.hold();
        if (!blocked && held) proc.output.release();
        held = blocked;
      },
    );
    this.recorder = recorder;
    proc.output.on('data', (chunk: Buffer) => recorder.output(chunk));
    this.recordingClosed = new Promise<void>((resolve) => proc.output.once('end', resolve)).then(() =>
      recorder.close(),
    );
  }
}
