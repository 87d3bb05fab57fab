import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExitStatus, LaunchSpec, RunningProcess } from './launcher.js';
import type { HelperReply, LaunchRequest } from './helper-messages.js';
import { SpawnError, toSpawnError } from './spawn-error.js';
import type { StdioRendezvous } from './stdio-rendezvous.js';

/** A launch that never reached a helper (it had died); the pool retries it on another. */
export class HelperUnavailableError extends SpawnError {
  constructor(cause?: Error) {
    super(
      'SPAWN_FAILED',
      `spawn helper is not running${cause ? `: ${cause.message}` : ''}`,
      cause ? { cause } : undefined,
    );
  }
}

/** Small heap for helpers: they hold a few objects per running command. */
const HELPER_EXEC_ARGV = ['--max-old-space-size=32', '--max-semi-space-size=2'];

// Same extension as this module: .js from dist/, .ts when run through tsx (tests).
const thisFile = fileURLToPath(import.meta.url);
const HELPER_FILE = path.join(path.dirname(thisFile), 'bin', `spawn-helper${path.extname(thisFile)}`);

/** Launch ids name stdio connections at the pool's one rendezvous, so they are unique across helpers. */
let nextLaunchId = 1;

interface Pending {
  readonly spec: LaunchSpec;
  resolve(proc: RunningProcess): void;
  reject(error: Error): void;
  pid?: number;
  /** The exit can arrive (over IPC) before the last stdio connection (over the rendezvous socket). */
  exit?: ExitStatus;
  readonly streams: [Socket | undefined, Socket | undefined, Socket | undefined];
}

interface Running {
  readonly pid: number;
  readonly stdin: Socket;
  resolveExit(status: ExitStatus): void;
}

/**
 * One spawn helper process (bin/spawn-helper.ts) and the commands it started.
 * If the helper dies, launches in flight fail with SPAWN_FAILED and the
 * commands it was watching are killed (their exit status can no longer be
 * known) and reported as ended by SIGKILL.
 */
export class SpawnHelperProcess {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private readonly running = new Map<number, Running>();
  private dead = false;
  /** Called once when the helper process is gone. */
  onDeath: (() => void) | null = null;

  constructor(private readonly rendezvous: StdioRendezvous) {
    this.child = fork(HELPER_FILE, [rendezvous.socketPath], {
      execArgv: [...inheritedExecArgv(), ...HELPER_EXEC_ARGV],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    this.child.on('message', (message: HelperReply) => this.onReply(message));
    this.child.once('exit', () => this.die());
    this.child.once('error', () => this.die());
    this.updateRef();
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** Launches in flight plus commands running: the pool picks the least loaded helper. */
  get load(): number {
    return this.pending.size + this.running.size;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  launch(spec: LaunchSpec): Promise<RunningProcess> {
    return new Promise((resolve, reject) => {
      if (this.dead) {
        reject(new HelperUnavailableError());
        return;
      }
      const id = nextLaunchId++ >>> 0;
      const pending: Pending = { spec, resolve, reject, streams: [undefined, undefined, undefined] };
      this.pending.set(id, pending);
      this.rendezvous.expect(id, (stream, socket) => {
        if (pending.streams[stream] || this.pending.get(id) !== pending) {
          socket.destroy();
          return;
        }
        pending.streams[stream] = socket;
        this.maybeStarted(id, pending);
      });
      const request: LaunchRequest = { id, file: spec.file, args: spec.args, cwd: spec.cwd, env: spec.env };
      this.child.send(request, undefined, undefined, (err) => {
        if (!err) return;
        // Not written, so the helper never saw it: safe to run elsewhere.
        this.failPending(id, new HelperUnavailableError(err));
        this.stop();
      });
      this.updateRef();
    });
  }

  /** Stops the helper; commands it started keep running (their pipes are the server's). */
  stop(): void {
    this.child.kill('SIGKILL');
  }

  private onReply(message: HelperReply): void {
    const pending = this.pending.get(message.id);
    switch (message.t) {
      case 'error':
        if (pending) {
          this.forget(message.id, pending);
          const err = Object.assign(new Error(message.message), { code: message.code }) as NodeJS.ErrnoException;
          toSpawnError(err, pending.spec.file, pending.spec.cwd).then(pending.reject, pending.reject);
        }
        break;
      case 'spawned':
        if (pending) {
          pending.pid = message.pid;
          this.maybeStarted(message.id, pending);
        }
        break;
      case 'exit': {
        if (pending) {
          pending.exit = { code: message.code, signal: message.signal };
          break;
        }
        const running = this.running.get(message.id);
        this.running.delete(message.id);
        // As ChildProcess does: the command is gone, nothing more can be written to it.
        running?.stdin.destroy();
        running?.resolveExit({ code: message.code, signal: message.signal });
        break;
      }
    }
    this.updateRef();
  }

  /** Resolves the launch once the pid and all three streams are here, in whichever order they came. */
  private maybeStarted(id: number, pending: Pending): void {
    const [stdin, stdout, stderr] = pending.streams;
    if (pending.pid === undefined || !stdin || !stdout || !stderr) return;
    this.forget(id, pending);
    const pid = pending.pid;
    const exitedEarly = pending.exit;
    const exited = exitedEarly
      ? Promise.resolve(exitedEarly)
      : new Promise<ExitStatus>((resolveExit) => this.running.set(id, { pid, stdin, resolveExit }));
    stdin.once('finish', () => stdin.destroy());
    // As on a later exit: the command is gone, nothing more can be written to it.
    if (exitedEarly) stdin.destroy();
    pending.resolve({
      pid,
      stdin,
      stdout: holdOutput(stdout),
      stderr: holdOutput(stderr),
      exited,
      signalGroup(signal) {
        try {
          process.kill(-pid, signal);
        } catch {
          // ESRCH: the group is already gone, which is what we wanted.
        }
      },
    });
  }

  private forget(id: number, pending: Pending): void {
    if (this.pending.get(id) === pending) this.pending.delete(id);
    this.rendezvous.forget(id);
  }

  private failPending(id: number, error: Error): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.forget(id, pending);
    for (const stream of pending.streams) stream?.destroy();
    if (pending.pid !== undefined) killGroup(pending.pid);
    pending.reject(error);
  }

  private die(): void {
    if (this.dead) return;
    this.dead = true;
    for (const id of [...this.pending.keys()])
      this.failPending(id, new SpawnError('SPAWN_FAILED', 'spawn helper exited while starting the command'));
    for (const running of this.running.values()) {
      killGroup(running.pid);
      running.resolveExit({ code: null, signal: 'SIGKILL' });
    }
    this.running.clear();
    this.onDeath?.();
  }

  /** Keeps the event loop alive only while this helper has work, so an idle pool never holds the process open. */
  private updateRef(): void {
    const busy = !this.dead && this.load > 0;
    if (busy) {
      this.child.ref();
      this.child.channel?.ref();
    } else {
      this.child.unref();
      this.child.channel?.unref();
    }
  }
}

/**
 * The server's end of a command's stdout or stderr: this side never writes, so end it now (as a pipe's
 * read end would be), and pipe it at once into a PassThrough so its bytes and its EOF are kept for a
 * consumer that attaches after the launch resolves.
 */
function holdOutput(socket: Socket): Readable {
  const held = new PassThrough();
  socket.on('error', (err) => held.destroy(err));
  socket.end();
  return socket.pipe(held);
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: already gone.
  }
}

/** The parent's loader flags (tsx in tests) without debugger, profiler or test-runner flags. */
function inheritedExecArgv(): string[] {
  return process.execArgv.filter(
    (arg) => !/^--(inspect|cpu-prof|heap-prof|test|prof|max-old-space-size|max-semi-space-size)/.test(arg),
  );
}
