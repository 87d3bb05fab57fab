/**
 * What every soak scenario shares: the built CLI (dist/, as users run it) as real processes, optionally
 * inside a network namespace, their peak memory read from /proc, and figures printed as one line each
 * so a run can be copied into docs/RELIABILITY.md. Every wait is bounded; nothing sleeps a fixed time.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
  closeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = path.join(ROOT, 'dist/cli/main.js');

const madeDirs: string[] = [];
process.once('exit', () => {
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
});

/** A scratch directory on /dev/shm when it has room (the disk would measure fsync, not framesh), removed at exit. */
export function scratch(prefix: string, needBytes = 0): string {
  const shm = '/dev/shm';
  let base = os.tmpdir();
  try {
    const free = spawnSync('df', ['-B1', '--output=avail', shm], { encoding: 'utf8' }).stdout.split('\n')[1];
    if (existsSync(shm) && Number(free) > needBytes * 3 + 256 * 1024 * 1024) base = shm;
  } catch {
    // no df: stay on the temp directory
  }
  const dir = mkdtempSync(path.join(base, `framesh-soak-${prefix}-`));
  madeDirs.push(dir);
  return dir;
}

/** Writes `bytes` random bytes to `file` in 1 MiB pieces (so a 1 GiB file does not need 1 GiB of memory). */
export function randomFile(file: string, bytes: number): void {
  const fd = openSync(file, 'w');
  const block = randomBytes(1024 * 1024);
  for (let left = bytes; left > 0; left -= block.length) {
    // Vary the block so no two MiB are equal: a resume that skipped or repeated a block would be caught.
    block.writeUInt32BE(left >>> 0, 0);
    writeSync(fd, block, 0, Math.min(left, block.length));
  }
  closeSync(fd);
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => hash.update(c))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export function sizeOr(file: string, fallback = -1): number {
  try {
    return statSync(file).size;
  } catch {
    return fallback;
  }
}

/** Polls `check` every 20 ms until it returns true, failing with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Peak resident memory (VmHWM) of a live process, in bytes; 0 once it has gone. */
export function peakRss(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function currentRss(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export const MiB = 1024 * 1024;

/** One figure line, grep-able from the run's output: `soak figure: SCENARIO: key=value ...`. */
export function figure(scenario: string, values: Record<string, string | number>): void {
  const text = Object.entries(values)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  process.stdout.write(`soak figure: ${scenario}: ${text}\n`);
}

export interface Launch {
  /** Run inside this network namespace (`ip netns exec NS`). */
  readonly netns?: string;
  readonly env?: NodeJS.ProcessEnv;
}

const launched = new Set<ChildProcessWithoutNullStreams>();
// A scenario whose assertion failed never reaches its own stop(): kill what it started (by PID, only
// ours), or the file would sit until the 15-minute file limit with a server keeping it alive.
after(() => {
  for (const child of launched) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function launch(args: readonly string[], options: Launch): ChildProcessWithoutNullStreams {
  const argv = [process.execPath, CLI, ...args];
  const [file, ...rest] = options.netns ? ['ip', 'netns', 'exec', options.netns, ...argv] : argv;
  const child = spawn(file as string, rest, { env: { ...process.env, ...options.env }, stdio: 'pipe' });
  launched.add(child);
  child.once('exit', () => launched.delete(child));
  return child;
}

export interface ServeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  readonly port: number;
  /** The audit log so far (serve logs to stderr). */
  log(): string;
  /** Audit events of one kind, parsed. */
  events(kind: string): Array<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** `framesh serve --port 0 ARGS` from dist/, resolved once it printed its listening line. */
export async function serve(args: readonly string[], options: Launch = {}): Promise<ServeProcess> {
  const child = launch(['serve', '--port', '0', ...args], options);
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 30 s: ${err}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const match = /framesh listening on .*:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  child.removeAllListeners('exit');
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // Under `ip netns exec` the child is `ip`, which execs node: same pid.
  const pid = child.pid as number;
  return {
    child,
    pid,
    port,
    log: () => err,
    events: (kind) =>
      err
        .split('\n')
        .filter((line) => line.includes(`"event":"${kind}"`))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export interface CliRun {
  readonly child: ChildProcessWithoutNullStreams;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: string }>;
}

/** Runs the built CLI; the result resolves when it exits (killed after `timeoutMs`). */
export function cli(args: readonly string[], options: Launch & { timeoutMs?: number; input?: Buffer } = {}): CliRun {
  const child = launch(args, options);
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  child.stdin.on('error', () => {});
  child.stdin.end(options.input);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: string }>(
    (resolve) => {
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout: Buffer.concat(out), stderr: err });
      });
    },
  );
  return { child, done };
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function commandExists(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}
