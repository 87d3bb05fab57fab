import {
  closeSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { debuglog } from 'node:util';
import vm from 'node:vm';

/** NODE_DEBUG=framesh-compile-cache traces where the cache is and what became of it on each run. */
const trace = debuglog('framesh-compile-cache');

/**
 * Where compiled code is kept: FRAMESH_COMPILE_CACHE (`off` turns the cache off), else a directory of
 * this user's under the system's temporary directory, where Node 22's module.enableCompileCache() keeps
 * its own.
 */
export function compileCacheDirectory(env: NodeJS.ProcessEnv = process.env): string | null {
  const chosen = env.FRAMESH_COMPILE_CACHE;
  if (chosen === 'off') return null;
  if (chosen) return path.resolve(chosen);
  return path.join(os.tmpdir(), `framesh-compile-cache-${process.getuid?.() ?? 'user'}`);
}

/**
 * The name a run's cache goes under: its subcommand (`exec`, `serve`…), or `root` for the root's help,
 * version and unknown words. Each command keeps its own, so that each holds what that command compiles.
 */
export function cacheNameFor(argv: readonly string[]): string {
  const word = argv[2] ?? '';
  return /^[a-z][a-z-]{0,23}$/.test(word) ? word : 'root';
}

/**
 * Whether code may be loaded from `dir`: made if missing, then a real directory (not a link), this
 * user's, and writable by nobody else. A cache file is code: whoever can write one runs code as this user.
 */
function usableDirectory(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    const problem = !st.isDirectory()
      ? 'not a directory'
      : process.getuid && st.uid !== process.getuid()
        ? `owned by uid ${st.uid}`
        : (st.mode & 0o022) !== 0
          ? `writable by others (mode ${(st.mode & 0o777).toString(8)})`
          : null;
    if (problem) trace('%s not used: %s', dir, problem);
    return problem === null;
  } catch (error) {
    trace('%s not used: %s', dir, (error as Error).message);
    return false;
  }
}

/**
 * The bundle's source and identity (size, inode, modification time in ns), read through one descriptor so
 * that both are of the same file even while a build replaces it; null when there is no bundle. V8 checks
 * a cache against its own version and flags but against the source only by length, so the identity goes
 * into the cache's name: code compiled from one build must never run with another's source.
 */
function readBundle(bundlePath: string): { source: string; identity: string } | null {
  let fd: number;
  try {
    fd = openSync(bundlePath, 'r');
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    // esbuild writes ASCII (its default charset), so latin1 reads it exactly and skips UTF-8 decoding.
    return { source: readFileSync(fd, 'latin1'), identity: `${st.size}-${st.ino}-${st.mtimeNs}` };
  } finally {
    closeSync(fd);
  }
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes the cache (through a temporary name, so a reader never sees half) and drops the command's older ones. */
function save(script: vm.Script, file: string, command: string): void {
  const dir = path.dirname(file);
  const name = path.basename(file);
  try {
    const data = script.createCachedData();
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, data, { mode: 0o600 });
    renameSync(temporary, file);
    for (const other of readdirSync(dir)) {
      if (other !== name && other.startsWith(`${command}@`) && other.endsWith('.cache')) {
        rmSync(path.join(dir, other), { force: true });
      }
    }
    trace('%s written (%d bytes)', file, data.length);
  } catch (error) {
    // The cache only saves time: a full disk or a directory gone must not change how the command ended.
    trace('%s not written: %s', file, (error as Error).message);
  }
}

/**
 * Runs the CommonJS bundle at `bundlePath` with V8's code cache of `command` and returns its exports, or
 * null when there is no bundle. A run that found no cache (or one V8 refused) writes one as it exits,
 * if it exits 0, so that the cache holds the functions a successful run of the command compiled.
 */
export function runBundle(bundlePath: string, command: string): Record<string, unknown> | null {
  const bundle = readBundle(bundlePath);
  if (!bundle) return null;
  const dir = compileCacheDirectory();
  const cacheFile =
    dir !== null && usableDirectory(dir)
      ? path.join(dir, `${command}@${process.version}-${process.arch}-${bundle.identity}.cache`)
      : null;
  const cachedData = cacheFile ? readIfPresent(cacheFile) : undefined;
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${bundle.source}\n})`, {
    filename: bundlePath,
    cachedData,
  });
  if (cacheFile) {
    const state = cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'accepted';
    trace('%s %s', cacheFile, state);
    if (state !== 'accepted') process.once('exit', (code) => code === 0 && save(script, cacheFile, command));
  }
  const module = { exports: {} as Record<string, unknown> };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, createRequire(bundlePath), module, bundlePath, path.dirname(bundlePath));
  return module.exports;
}
