import cliProgress from 'cli-progress';
import type { TransferProgress } from '../client/files/transfer-types.js';

/** Progress display for put/get: bars on a TTY, nothing otherwise or with -q. */
export interface ProgressView {
  /** Returns the callback for one file's progress. */
  file(name: string, size: number): (progress: TransferProgress) => void;
  stop(): void;
}

const SILENT: ProgressView = { file: () => () => {}, stop: () => {} };

/**
 * One bar per file (name, bytes, rate, ETA) and, for several files, a total
 * bar, drawn with cli-progress on stderr.
 */
export function progressView(quiet: boolean, totalBytes: number, fileCount: number): ProgressView {
  if (quiet || !process.stderr.isTTY) return SILENT;
  const bars = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      format: '{name} |{bar}| {percentage}% {done}/{size} {speed} ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const startedAt = Date.now();
  let moved = 0;
  const total =
    fileCount > 1 ? bars.create(Math.max(totalBytes, 1), 0, fields('total', totalBytes, 0, startedAt)) : null;
  return {
    file(name, size) {
      const bar = bars.create(Math.max(size, 1), 0, fields(name, size, 0, Date.now()));
      const began = Date.now();
      let last = 0;
      return (p) => {
        moved += p.bytes - last;
        last = p.bytes;
        bar.update(size === 0 ? 1 : p.bytes, fields(name, size, p.bytes - p.resumedFrom, began, p.bytes));
        total?.update(moved, fields('total', totalBytes, moved, startedAt, moved));
      };
    },
    stop: () => bars.stop(),
  };
}

function fields(name: string, size: number, movedNow: number, since: number, done = 0): Record<string, string> {
  const seconds = Math.max((Date.now() - since) / 1000, 0.001);
  return {
    name: name.length > 24 ? `…${name.slice(-23)}` : name.padEnd(24),
    size: bytesText(size),
    done: bytesText(done),
    speed: `${bytesText(movedNow / seconds)}/s`,
  };
}

/** A byte count as people read it: 1.5 MiB. */
export function bytesText(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
