/**
 * Temporary directories for tests: made under os.tmpdir() and removed when
 * the test process exits, whatever the outcome, so CI machines do not fill up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];

process.once('exit', () => {
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A mount still on it, or a directory a test made unwritable: leave it rather than fail the run.
    }
  }
});

/** A fresh directory named `prefix` plus random characters, removed at exit. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
