/**
 * Runs the real `framesh` CLI as a child process with a private FRAMESH_HOME,
 * and waits on events, never on fixed sleeps.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp-dirs.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI_ENTRY = path.join(ROOT, 'src/cli/main.ts');
const BUILT_ENTRY = path.join(ROOT, 'dist/cli/main.js');

/** The newest modification time of any file under `dir`. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * The built CLI when dist/ is newer than every source file (npm test builds it first, in test:types),
 * else the sources through tsx. The built one starts in about a fifth of the time, and the suite starts
 * the CLI hundreds of times. FRAMESH_TEST_FROM_SOURCE=1 forces the sources.
 */
function chooseCli(): readonly string[] {
  if (process.env.FRAMESH_TEST_FROM_SOURCE !== '1') {
    try {
      if (statSync(BUILT_ENTRY).mtimeMs > newestMtime(path.join(ROOT, 'src'))) return [BUILT_ENTRY];
    } catch {
      // Not built: run the sources.
    }
  }
  return ['--import', 'tsx', CLI_ENTRY];
}

// The built CLI keeps V8's compiled code between runs (src/cli/compile-cache.ts): this test process's
// CLI runs share one cache directory, removed at exit, instead of leaving one under the system's tmp.
process.env.FRAMESH_COMPILE_CACHE ??= tempDir('framesh-compile-cache-');

/** Node's arguments that start the CLI: `[process.execPath, ...CLI_ARGS, 'exec', ...]`. */
export const CLI_ARGS: readonly string[] = chooseCli();

/** A fresh state directory for one test's CLI processes. */
export function tempHome(): string {
  return tempDir('framesh-home-');
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a CLI process: this one's, a fresh FRAMESH_HOME unless `env` names one, then `env`. */
function cliEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...process.env, FRAMESH_HOME: env.FRAMESH_HOME ?? tempHome(), ...env };
}

export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...CLI_ARGS, ...args], { cwd: ROOT, env: cliEnv(env) });
}

export interface RunOptions {
  /** Written to stdin, which is then closed. */
  input?: string | Buffer;
  /** 'ignore': stdin is /dev/null, as for a job started without input (no `input` then). */
  stdin?: 'ignore';
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs the CLI to completion. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return runNode([...CLI_ARGS, ...args], options);
}

/** Runs `node NODE_ARGS` to completion with a CLI's environment: another entry point of the CLI, say. */
export function runNode(nodeArgs: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: ROOT,
    env: cliEnv(options.env ?? {}),
    stdio: [options.stdin ?? 'pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const { stdout, stderr } = child;
  if (!stdout || !stderr) throw new Error('stdout and stderr are piped');
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  if (child.stdin) {
    child.stdin.on('error', () => {});
    child.stdin.end(options.input);
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

export interface ServeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly port: number;
  /** The `serve --classic` port, when started with `{ classic: true }`; else null. */
  readonly classicPort: number | null;
  /** The `serve --web` page's origin, when started with `{ web: true }`; else null. */
  readonly webOrigin: string | null;
  /** Everything the server wrote to stderr so far (audit log lines). */
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `framesh serve --port 0 ...` and resolves once it printed its listening line
 * (with `{ classic: true }`: its `framesh classic listening on` line, as well).
 */
export function startServeProcess(
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
  options: { classic?: boolean; web?: boolean } = {},
): Promise<ServeProcess> {
  const child = spawnCli(['serve', '--port', '0', ...args], env);
  let errText = '';
  child.stderr.on('data', (c: Buffer) => {
    errText += c.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    let outText = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start within 30 s; stderr: ${errText}`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening; stderr: ${errText}`));
    });
    child.stdout.on('data', (c: Buffer) => {
      outText += c.toString('utf8');
      const match = /listening on .*:(\d+)/.exec(outText);
      const classicMatch = /framesh classic listening on .*:(\d+)/.exec(outText);
      const webMatch = /framesh web terminal on (\S+)/.exec(outText);
      if (!match || (options.classic && !classicMatch) || (options.web && !webMatch)) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      resolve({
        child,
        port: Number(match[1]),
        classicPort: classicMatch ? Number(classicMatch[1]) : null,
        webOrigin: webMatch ? webMatch[1]! : null,
        stderr: () => errText,
        stop: (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
  });
}
