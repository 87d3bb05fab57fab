import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isPartialName, type PartialFiles } from './partial-files.js';

export { DEFAULT_PARTIAL_MAX_AGE_MS } from '../server-defaults.js';
/** At most this many directory entries are looked at in one sweep, so a huge root costs bounded time. */
const MAX_ENTRIES_PER_SWEEP = 200_000;
const MAX_DEPTH = 64;

/**
 * Removes framesh partial files (`.NAME.framesh-part`, `-HEX`) under the root that no transfer holds
 * and that were last written more than `maxAgeMs` ago: an upload interrupted long ago will not be
 * resumed, and its bytes would otherwise stay forever. Symbolic links are never followed.
 */
export async function sweepStalePartials(
  root: string,
  partials: PartialFiles,
  maxAgeMs: number,
  now = Date.now(),
): Promise<number> {
  let budget = MAX_ENTRIES_PER_SWEEP;
  let removed = 0;
  const visit = async (dir: string, depth: number): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (--budget < 0) return;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH) await visit(full, depth + 1);
      } else if (entry.isFile() && isPartialName(entry.name) && !partials.isHeld(full)) {
        const stats = await fs.lstat(full).catch(() => null);
        if (stats?.isFile() && now - stats.mtimeMs > maxAgeMs && !partials.isHeld(full)) {
          await fs.unlink(full).then(
            () => (removed += 1),
            () => {},
          );
        }
      }
    }
  };
  await visit(root, 0);
  return removed;
}

/** Sweeps once now and then periodically until stopped; 0 disables expiry. */
export function scheduleStalePartialSweep(
  root: string,
  partials: PartialFiles,
  maxAgeMs: number,
  onSwept?: (removed: number) => void,
): () => void {
  if (maxAgeMs <= 0) return () => {};
  let running = false;
  const sweep = (): void => {
    if (running) return;
    running = true;
    void sweepStalePartials(root, partials, maxAgeMs)
      .then(
        (removed) => onSwept?.(removed),
        () => {},
      )
      .finally(() => (running = false));
  };
  sweep();
  // Often enough that a partial outlives its age by at most a quarter of it (and at most an hour).
  const timer = setInterval(sweep, Math.max(1000, Math.min(maxAgeMs / 4, 60 * 60 * 1000)));
  timer.unref();
  return () => clearInterval(timer);
}
