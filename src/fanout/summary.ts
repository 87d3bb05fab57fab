/**
 * The summary of a fan-out, failed hosts first: host, exit, duration, output bytes, error; and the exit
 * status rule: 255 when any host could not be reached or its connection failed (framesh's own failure,
 * as for a single host), else 1 when any command exited non-zero, was ended by a signal or timed out,
 * or was not started (--fail-fast), else 0.
 */
import type { HostOutcome } from './host-jobs.js';

export const EXIT_ALL_OK = 0;
export const EXIT_SOME_FAILED = 1;
export const EXIT_UNREACHABLE = 255;

export function fanoutExitStatus(outcomes: readonly HostOutcome[]): number {
  const framesFailure = (o: HostOutcome): boolean =>
    o.error !== undefined && o.error.code !== 'NOT_STARTED' && (!o.reached || o.error.code !== 'TIMEOUT');
  if (outcomes.some(framesFailure)) return EXIT_UNREACHABLE;
  if (outcomes.some((o) => o.error || o.code !== 0)) return EXIT_SOME_FAILED;
  return EXIT_ALL_OK;
}

function failed(o: HostOutcome): boolean {
  return o.error !== undefined || o.code !== 0;
}

function exitText(o: HostOutcome): string {
  if (o.error) return '-';
  return o.code !== null ? String(o.code) : (o.signal ?? '?');
}

function durationText(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** The table as text lines, columns padded; failed hosts first, then in the given order. */
export function summaryTable(outcomes: readonly HostOutcome[]): string {
  const sorted = [...outcomes.filter(failed), ...outcomes.filter((o) => !failed(o))];
  const rows = [
    ['HOST', 'EXIT', 'TIME', 'BYTES', 'ERROR'],
    ...sorted.map((o) => [
      o.host,
      exitText(o),
      durationText(o.durationMs),
      String(o.bytes),
      o.error ? `${o.error.code}: ${o.error.message}` : (o.detail ?? ''),
    ]),
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => (r[c] as string).length)));
  const lines = rows.map((r) =>
    r
      .map((cell, c) => (c < 4 ? cell.padEnd(widths[c] as number) : cell))
      .join('  ')
      .trimEnd(),
  );
  const ok = outcomes.length - sorted.filter(failed).length;
  lines.push(`${outcomes.length} hosts: ${ok} ok, ${outcomes.length - ok} failed`);
  return `${lines.join('\n')}\n`;
}

/** The live status line: done/running/failed/total and elapsed time. */
export function statusLine(
  done: number,
  running: number,
  failedCount: number,
  total: number,
  elapsedMs: number,
): string {
  return `[${done}/${total} done, ${running} running, ${failedCount} failed, ${durationText(elapsedMs)}]`;
}
