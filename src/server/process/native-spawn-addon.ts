import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's functions (native/posix-spawn.c states their contract). */
export interface NativeSpawnAddon {
  /**
   * Starts `path` on a libuv pool thread; then onStart(errno) when nothing started, or
   * onStart(0, pid, stdinFd, stdoutFd, stderrFd); later onExit(code or -1, signal number or 0), once.
   */
  spawn(
    path: string,
    argv: readonly string[],
    envp: readonly string[],
    cwd: string,
    onStart: (errno: number, pid?: number, stdinFd?: number, stdoutFd?: number, stderrFd?: number) => void,
    onExit: (code: number, signal: number) => void,
  ): void;
  /** True when the kernel has pidfd_open (Linux 5.3+). */
  probe(): boolean;
  /**
   * Calls onGone() once when process `pid` has exited, without reaping it (another part of the server
   * does). Returns 0, or an errno when it cannot watch: ESRCH means the process is gone already. The
   * watch does not keep the event loop alive.
   */
  watchGone(pid: number, onGone: () => void): number;
  /**
   * Takes over `fd` (a pipe's read end) and reads it on the loop once given a buffer and resumed:
   * onRead(n) after each read, n > 0 bytes at the start of the buffer, 0 the end, -errno an error (after
   * 0 or an error the reader is closed). onRead returning false pauses until pipeResume.
   * native/pipe-reader.c states the whole contract.
   */
  readPipe(fd: number, onRead: (bytes: number) => boolean): PipeReader;
  /** The following reads go into `buffer` (non-empty). */
  pipeInto(reader: PipeReader, buffer: Buffer): void;
  /** Reads again; a no-op while reading or after the end. */
  pipeResume(reader: PipeReader): void;
  /** Stops reading and closes the descriptor; onRead is not called again. Idempotent. */
  pipeClose(reader: PipeReader): void;
}

/** A pipe being read by the addon (opaque). */
export type PipeReader = { readonly __pipeReader: unique symbol };

export type AddonLoad = { readonly addon: NativeSpawnAddon } | { readonly addon: null; readonly reason: string };

// src/server/process/ and dist/server/process/ are both three levels below the package root, where
// node-gyp leaves build/Release/ (native/build.mjs runs it at install).
const ADDON_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../build/Release/framesh_spawn.node');

let loaded: AddonLoad | undefined;

/** Loads the posix_spawn addon once; says why not when it was not built, cannot load, or the kernel lacks pidfds. */
export function loadNativeSpawn(): AddonLoad {
  if (loaded) return loaded;
  if (process.platform !== 'linux') {
    loaded = { addon: null, reason: `not built for ${process.platform}` };
    return loaded;
  }
  try {
    const addon = createRequire(import.meta.url)(ADDON_FILE) as NativeSpawnAddon;
    if (typeof addon.readPipe !== 'function') loaded = { addon: null, reason: 'addon out of date (npm rebuild)' };
    else if (!addon.probe()) loaded = { addon: null, reason: 'this kernel has no pidfd_open (Linux 5.3+)' };
    else loaded = { addon };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'MODULE_NOT_FOUND' ? 'addon not built (see native/build.mjs)' : (err as Error).message;
    loaded = { addon: null, reason };
  }
  return loaded;
}
