import { closeSync, constants as fsConstants, openSync, promises as fs, readSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { ExitStatus, LaunchSpec, RunningProcess } from '../process/launcher.js';
import { loadNativeSpawn } from '../process/native-spawn-addon.js';
import { checkCwd, SpawnError } from '../process/spawn-error.js';
import type { TerminalSize } from '../server-channel.js';
import type { PtyModule } from './pty-module.js';
import { foregroundGroup, signalSession } from './session-processes.js';
import { TerminalInput } from './terminal-input.js';
import { TerminalOutput } from './terminal-output.js';
import { addonPtyReader, ThreadedPtyReads, type PtyReaderAddon } from './threaded-pty-reads.js';

/** A command running on a pseudo-terminal: one output stream, a size, a foreground job. */
export interface TerminalProcess extends RunningProcess {
  /** Everything the terminal printed (stdout and stderr are the same device). */
  readonly output: TerminalOutput;
  /** Who reads the terminal: the addon (on the loop, its thread in bursts), or node-pty (without it). */
  readonly outputReader: 'addon' | 'node-pty';
  resize(size: TerminalSize): void;
  /** A client `signal` goes to the job in front, as a key would (PROTOCOL.md §11.3). */
  signalForeground(signal: NodeJS.Signals): void;
  /** Every process group of the session, jobs in their own groups included. */
  signalSession(signals: readonly NodeJS.Signals[]): Promise<void>;
}

/** The subset of node-pty's IPty used here; `fd` and the 'close' event exist on its Unix class. */
interface UnixPty {
  readonly pid: number;
  readonly fd: number;
  readonly ptsName: string;
  onData(listener: (data: Buffer | string) => void): { dispose(): void };
  onExit(listener: (event: { exitCode: number; signal?: number }) => void): { dispose(): void };
  on(event: 'close', listener: () => void): void;
  pause(): void;
  resume(): void;
  resize(cols: number, rows: number): void;
}

/** What startTerminal takes from the addon; each defaults to the addon's, null does without (tests). */
export interface TerminalStartOptions {
  readonly exitWatch?: ExitWatch | null;
  readonly ptyReader?: PtyReaderAddon | null;
}

/**
 * Starts `spec` on a new terminal of the given size and type. node-pty forks through a helper that makes
 * the command a session leader with the terminal as its controlling terminal, as sshd does; it reports a
 * missing program or directory only as text on the terminal, so both are checked first and refused with
 * the same SpawnError codes as exec (PROTOCOL.md §4.1).
 */
export async function startTerminal(
  pty: PtyModule,
  spec: LaunchSpec,
  term: string,
  size: TerminalSize,
  options: TerminalStartOptions = {},
): Promise<TerminalProcess> {
  const exitWatch = options.exitWatch === undefined ? addonExitWatch() : options.exitWatch;
  const ptyReader = options.ptyReader === undefined ? addonPtyReader() : options.ptyReader;
  const cwdProblem = await checkCwd(spec.cwd);
  if (cwdProblem) throw cwdProblem;
  await checkProgram(spec.file, spec.env.PATH);
  let child: UnixPty;
  try {
    child = pty.spawn(spec.file, spec.args as string[], {
      name: term,
      cols: size.cols,
      rows: size.rows,
      cwd: spec.cwd,
      env: spec.env as Record<string, string>,
      encoding: null,
    }) as unknown as UnixPty;
  } catch (err) {
    throw new SpawnError('SPAWN_FAILED', `could not start a terminal: ${(err as Error).message}`, { cause: err });
  }
  // Hold the terminal's slave side open while the command runs. Once the last slave descriptor is
  // closed the master reports POLLHUP, and libuv takes POLLHUP after a short read as end-of-file: node-pty
  // stopped reading with the last few KiB of a command's output (`cat big`) still in the kernel. When the
  // leader has exited, the server reads the terminal to its end itself and then lets go of the slave, so
  // node-pty sees the end at once; without the addon's exit watch (or while a background job keeps the
  // terminal open) node-pty ends reading 200 ms after the exit (PROTOCOL.md §11.3).
  let slave = holdSlave(child.ptsName);
  const releaseSlave = (): void => {
    if (slave === null) return;
    closeSync(slave);
    slave = null;
  };
  // With the addon the output is read by its reader (native/pty-reader.c), which reads to the end by
  // itself once the held slave is let go at the leader's exit. Needs the exit watch for that (else the
  // slave stays held).
  const threaded = slave !== null && exitWatch && ptyReader ? threadedReads(child, ptyReader) : null;
  const output = new TerminalOutput(threaded ?? child);
  const input = new TerminalInput(child.fd);
  let masterOpen = true;
  // The master's descriptor is closed once node-pty saw the terminal's end; never touch it after.
  child.on('close', () => {
    masterOpen = false;
    input.hangUp();
  });
  if (threaded && exitWatch) {
    // The reader reads on to the end by itself once no slave is left: only ours is to let go.
    exitWatch(child.pid, releaseSlave);
  } else if (slave !== null && exitWatch) {
    exitWatch(child.pid, () => {
      const gone = performance.now();
      output.whenReading(() => {
        // node-pty closes the master on its own timer, 200 ms after the exit, and tells us only a loop
        // round later ('close'); its descriptor number could belong to another file by then. So the
        // master is read only well within that time. Later (output paused that long), the slave stays
        // held and node-pty's timer ends the session, as without a watch.
        if (!masterOpen || slave === null || performance.now() - gone >= SAFE_READ_MS) return;
        readToEnd(child.fd, output);
        releaseSlave();
      });
    });
  }
  const exited = new Promise<ExitStatus>((resolve) => {
    child.onExit(({ exitCode, signal }) => {
      input.hangUp();
      // Before node-pty's timer ended it (a job still holding the terminal): what the reader holds.
      threaded?.stop();
      output.finish();
      releaseSlave();
      resolve(signal ? { code: null, signal: signalName(signal) } : { code: exitCode, signal: null });
    });
  });
  const pid = child.pid;
  const stderr = new PassThrough();
  stderr.end();
  return {
    pid,
    stdin: input,
    stdout: output,
    stderr,
    output,
    outputReader: threaded ? 'addon' : 'node-pty',
    exited,
    signalGroup(signal) {
      try {
        process.kill(-pid, signal);
      } catch {
        // ESRCH: already gone.
      }
    },
    signalForeground(signal) {
      const group = foregroundGroup(pid) ?? pid;
      try {
        process.kill(-group, signal);
      } catch {
        // ESRCH: already gone.
      }
    },
    signalSession: (signals) => signalSession(pid, signals),
    resize(next) {
      try {
        child.resize(next.cols, next.rows);
      } catch {
        // The terminal closed meanwhile; its exit follows.
      }
    },
  };
}

function signalName(signal: number): NodeJS.Signals | null {
  const entry = Object.entries(os.constants.signals).find(([, n]) => n === signal);
  return (entry?.[0] as NodeJS.Signals | undefined) ?? null;
}

/** ENOENT_COMMAND / EACCES for a program that would fail to exec, looked up in PATH as execvp does. */
async function checkProgram(file: string, searchPath: string | undefined): Promise<void> {
  const candidates = file.includes('/')
    ? [file]
    : (searchPath ?? '')
        .split(':')
        .filter(Boolean)
        .map((dir) => path.join(dir, file));
  let denied = false;
  for (const candidate of candidates) {
    const stat = await fs.stat(candidate).catch(() => null);
    if (!stat?.isFile()) continue;
    try {
      await fs.access(candidate, fsConstants.X_OK);
      return;
    } catch {
      denied = true;
    }
  }
  if (denied) throw new SpawnError('EACCES', `permission denied: ${file}`);
  throw new SpawnError('ENOENT_COMMAND', `command not found: ${file}`);
}

/** How long after the exit the server may still read the master itself (node-pty's timer is 200 ms). */
const SAFE_READ_MS = 100;

/** Most the server reads after the leader's exit: a background job may still be writing. */
const READ_TO_END_LIMIT = 1024 * 1024;

/**
 * Reads what the terminal holds now, until the master would block. A read that finds nothing first
 * moves what the kernel still buffers for the terminal into it (n_tty's flush), so EAGAIN means empty.
 */
function readToEnd(masterFd: number, output: TerminalOutput): void {
  for (let total = 0; total < READ_TO_END_LIMIT;) {
    const buffer = Buffer.allocUnsafe(64 * 1024);
    let n: number;
    try {
      n = readSync(masterFd, buffer, 0, buffer.length, null);
    } catch {
      return; // EAGAIN: empty; EIO: no slave left
    }
    if (n === 0) return;
    output.fromTerminal(buffer.subarray(0, n));
    total += n;
  }
}

/** Calls `onGone` once process `pid` has exited, without reaping it (node-pty reaps its children). */
export type ExitWatch = (pid: number, onGone: () => void) => void;

/** The addon's pidfd watch, or null without it (or with an addon built before watchGone): the 200 ms path. */
function addonExitWatch(): ExitWatch | null {
  const addon = loadNativeSpawn().addon;
  if (typeof addon?.watchGone !== 'function') return null;
  const ESRCH = os.constants.errno.ESRCH;
  return (pid, onGone) => {
    // Another errno (no pidfds here after all): nothing is called, and node-pty's timer ends the session.
    if (addon.watchGone(pid, onGone) === ESRCH) setImmediate(onGone);
  };
}

/**
 * The terminal's output read by the addon's reader, node-pty's own reading switched off (two readers
 * would split the output between them). node-pty keeps its reader private (`_socket`, a tty.ReadStream
 * that starts reading a tick after spawn, so switching it off now is in time): its reads become no-ops,
 * and at the end, when the reader read the last byte, it is destroyed as node-pty's own 200 ms timer
 * would destroy it, so node-pty reports the exit at once. Null when node-pty's insides are not as
 * expected (another version) or the reader cannot start: then node-pty reads, as without the addon.
 */
function threadedReads(child: UnixPty, addon: PtyReaderAddon): ThreadedPtyReads | null {
  const socket = (child as unknown as { _socket?: { _read?: unknown; destroy?: unknown } })._socket;
  if (typeof socket?._read !== 'function' || typeof socket.destroy !== 'function') return null;
  const destroy = (socket.destroy as () => void).bind(socket);
  let reads: ThreadedPtyReads;
  try {
    reads = new ThreadedPtyReads(addon, child.fd, destroy);
  } catch {
    return null; // no descriptor or thread to spare: node-pty reads
  }
  socket._read = () => {};
  child.pause();
  return reads;
}

function holdSlave(ptsName: string): number | null {
  try {
    // O_NOCTTY: the server must never take the session's terminal as its own controlling terminal.
    return openSync(ptsName, fsConstants.O_RDWR | fsConstants.O_NOCTTY);
  } catch {
    return null; // Output may lose its tail, as with node-pty alone; the session still works.
  }
}
