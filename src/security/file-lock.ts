import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SecurityError } from '../errors.js';

/** A lock older than this is taken to be left by a process that died holding it. */
const STALE_AFTER_MS = 10_000;
const GIVE_UP_AFTER_MS = 5_000;

/**
 * Runs `fn` while holding `lockFile`, made with O_CREAT|O_EXCL so only one process at a time holds it
 * (works between processes and on every local filesystem; Node has no flock). Waits up to 5 s for
 * another holder, and removes a lock older than 10 s, which only a crashed holder leaves.
 */
export async function withFileLock<T>(lockFile: string, fn: () => T): Promise<T> {
  const deadline = Date.now() + GIVE_UP_AFTER_MS;
  for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
    let fd: number;
    try {
      fd = openSync(lockFile, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      removeIfStale(lockFile);
      if (Date.now() > deadline)
        throw new SecurityError(
          'KNOWN_HOSTS_LOCKED',
          `${lockFile} is held by another process; remove it if none is running`,
        );
      await sleep(wait);
      continue;
    }
    try {
      writeSync(fd, String(process.pid));
      return fn();
    } finally {
      closeSync(fd);
      rmSync(lockFile, { force: true });
    }
  }
}

function removeIfStale(lockFile: string): void {
  try {
    if (Date.now() - statSync(lockFile).mtimeMs > STALE_AFTER_MS) rmSync(lockFile, { force: true });
  } catch {
    // Gone already: the next attempt takes it.
  }
}
