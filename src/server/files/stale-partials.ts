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
      // Most entries are neither: they cost a type check, not a path (a home holds 10^5 of them).
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH) await visit(path.join(dir, entry.name), depth + 1);
        continue;
      }
      if (!entry.isFile() || !isPartialName(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (!partials.isHeld(full)) {
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

/**
 * How long after start the first sweep waits (`partialSweepDelayMs`): walking a large root costs
 * seconds of CPU (200 000 entries of a home directory took 1.8 s here), which a server just started,
 * and the commands it was started for, should not pay.
 */
export const DEFAULT_PARTIAL_SWEEP_DELAY_MS = 60_000;

/**
 * Sweeps once after `firstDelayMs` (capped by the period) and then periodically until stopped;
 * a maxAgeMs of 0 disables expiry.
 */
export function scheduleStalePartialSweep(
  root: string,
  partials: PartialFiles,
  maxAgeMs: number,
  onSwept?: (removed: number) => void,
  firstDelayMs: number = DEFAULT_PARTIAL_SWEEP_DELAY_MS,
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
  // Often enough that a partial outlives its age by at most a quarter of it (and at most an hour).
  const periodMs = Math.max(1000, Math.min(maxAgeMs / 4, 60 * 60 * 1000));
  let timer: NodeJS.Timeout | null = null;
  const first = setTimeout(
    () => {
      sweep();
      timer = setInterval(sweep, periodMs);
      timer.unref();
    },
    Math.min(firstDelayMs, periodMs),
  );
  first.unref();
  return () => {
    clearTimeout(first);
    if (timer) clearInterval(timer);
  };
}
