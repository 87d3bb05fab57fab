import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { buildLaunchSpec } from '../../server/process/command-line.js';
import type { ExitStatus, ProcessLauncher, RunningProcess } from '../../server/process/launcher.js';
import { SpawnError } from '../../server/process/spawn-error.js';

/** Why the server ended a classic command; null when it ended by itself. */
export type ClassicEndReason = 'timeout' | 'max-output' | 'disconnect' | 'shutdown';

export interface ClassicCommandOptions {
  readonly launcher: ProcessLauncher;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly login: boolean;
  /** Run time after which the command is ended; 0 for none. */
  readonly timeoutMs: number;
  /** Time between SIGTERM and SIGKILL. */
  readonly killGraceMs: number;
  /** Cap on stdout + stderr bytes collected (docs/CLASSIC.md, "Max output"). */
  readonly maxOutputBytes: number;
}

/** What a classic command produced: its reply is stdout, then stderr, then `note` if any. */
export interface ClassicCommandResult {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** One line the server appends (output cut, timeout, shutdown, spawn failure), or null. */
  readonly note: string | null;
  readonly status: ExitStatus | null;
  readonly reason: ClassicEndReason | null;
  readonly errorCode: string | null;
  readonly durationMs: number;
}

/**
 * Runs one classic request as a shell command in its own process group and
 * collects its output whole, because every classic reply states its size
 * before its bytes. Past `maxOutputBytes` the rest is dropped and the group
 * is ended (SIGTERM, then SIGKILL after the grace): a command that writes
 * without end would otherwise keep its client waiting for ever.
 */
export class ClassicCommand {
  readonly text: string;
  private readonly options: ClassicCommandOptions;
  private readonly startedAt = performance.now();
  private process: RunningProcess | null = null;
  private reason: ClassicEndReason | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private collected = 0;

  constructor(text: string, options: ClassicCommandOptions) {
    this.text = text;
    this.options = options;
  }

  get pid(): number | null {
    return this.process?.pid ?? null;
  }

  /** Starts the command, calls `started` with its pid, and resolves once it exited and closed both pipes. */
  async run(started: (pid: number) => void): Promise<ClassicCommandResult> {
    const { launcher, cwd, env, login, timeoutMs } = this.options;
    if (this.reason) return this.result(Buffer.alloc(0), Buffer.alloc(0), null, this.noteFor(this.reason), null); // ended before it began
    let proc: RunningProcess;
    try {
      proc = await launcher.launch(buildLaunchSpec({ command: this.text, login, cwd, env }));
    } catch (err) {
      const error = err instanceof SpawnError ? err : new SpawnError('SPAWN_FAILED', String(err));
      return this.result(
        Buffer.alloc(0),
        Buffer.alloc(0),
        null,
        `framesh: could not start command: ${error.message}`,
        error.code,
      );
    }
    this.process = proc;
    started(proc.pid);
    proc.stdin.on('error', () => {});
    // Classic requests carry no stdin: the command reads end-of-file at once.
    proc.stdin.end();
    if (this.reason) this.terminate(this.reason);
    const timer = timeoutMs > 0 ? setTimeout(() => this.terminate('timeout'), timeoutMs) : null;
    const [stdout, stderr, status] = await Promise.all([
      this.collect(proc.stdout),
      this.collect(proc.stderr),
      proc.exited,
    ]);
    if (timer) clearTimeout(timer);
    if (this.killTimer) clearTimeout(this.killTimer);
    return this.result(stdout, stderr, status, this.noteFor(this.reason), this.reason === 'timeout' ? 'TIMEOUT' : null);
  }

  /** Ends the whole process group: SIGTERM, then SIGKILL after the grace. The first reason given is kept. */
  terminate(reason: ClassicEndReason): void {
    this.reason ??= reason;
    const proc = this.process;
    if (!proc || this.killTimer) return;
    proc.signalGroup('SIGTERM');
    this.killTimer = setTimeout(() => proc.signalGroup('SIGKILL'), this.options.killGraceMs);
    this.killTimer.unref();
  }

  private async collect(source: Readable): Promise<Buffer> {
    const chunks: Buffer[] = [];
    const max = this.options.maxOutputBytes;
    source.on('data', (chunk: Buffer) => {
      // Read on past the cap (and throw away) so the pipe never blocks a command that is being ended.
      const room = max - this.collected;
      if (room <= 0) {
        this.terminate('max-output');
        return;
      }
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(kept);
      this.collected += kept.length;
      if (chunk.length > room) this.terminate('max-output');
    });
    await finished(source).catch(() => {});
    return Buffer.concat(chunks);
  }

  private noteFor(reason: ClassicEndReason | null): string | null {
    switch (reason) {
      case 'max-output':
        return `[framesh: output cut at ${this.options.maxOutputBytes} bytes (--classic-max-output); the command was ended]`;
      case 'timeout':
        return `[framesh: command timed out after ${this.options.timeoutMs} ms and was ended]`;
      case 'shutdown':
        return '[framesh: server shutting down; the command was ended]';
      default:
        return null;
    }
  }

  private result(
    stdout: Buffer,
    stderr: Buffer,
    status: ExitStatus | null,
    note: string | null,
    errorCode: string | null,
  ): ClassicCommandResult {
    return {
      stdout,
      stderr,
      note,
      status,
      reason: this.reason,
      errorCode,
      durationMs: performance.now() - this.startedAt,
    };
  }
}
