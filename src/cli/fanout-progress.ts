/**
 * What `put -H`/`get -H` draw on a terminal: one line for the whole run (the live status first —
 * done/running/failed/total, elapsed — then bytes of all hosts), and one bar per host as it starts. The
 * bars never outgrow the terminal: past its height a host that starts waits unseen (it still counts in
 * the total) until a row is free: a host that ended gives its row to one waiting (the summary names every
 * failure). Rows are reused, never removed, so the drawing never scrolls. Not a terminal, or
 * -q/--json/--summary-only: nothing is drawn.
 */
import cliProgress from 'cli-progress';
import type { HostOutcome } from '../fanout/host-jobs.js';
import { statusLine } from '../fanout/summary.js';
import { bytesText } from './progress.js';

export interface FanoutProgressView {
  start(host: string): void;
  plan(host: string, total: number): void;
  progress(host: string, bytes: number): void;
  end(outcome: HostOutcome): void;
  stop(): void;
}

const SILENT: FanoutProgressView = { start() {}, plan() {}, progress() {}, end() {}, stop() {} };

interface HostState {
  total: number;
  bytes: number;
  readonly began: number;
  /** The row showing this host, if any. */
  slot: Slot | null;
}

/** One bar row. Rows are made as needed up to the terminal's height and then reused, never removed. */
interface Slot {
  readonly bar: cliProgress.SingleBar;
  host: string;
  ended: 'ok' | 'failed' | null;
}

export function fanoutProgressView(enabled: boolean, hostNames: readonly string[]): FanoutProgressView {
  if (!enabled || !process.stderr.isTTY) return SILENT;
  const nameWidth = Math.min(24, Math.max('total'.length, ...hostNames.map((n) => n.length)));
  const bars = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      format: '{name} |{bar}| {percentage}% {done}/{size} {speed} {status}',
      hideCursor: true,
      clearOnComplete: false,
      barsize: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  const began = Date.now();
  const hosts = new Map<string, HostState>();
  const slots: Slot[] = [];
  const waiting: string[] = [];
  let totalBytes = 0;
  let movedBytes = 0;
  let done = 0;
  let running = 0;
  let failed = 0;
  const fields = (name: string, size: number, moved: number, since: number, status: string): Record<string, string> => {
    const seconds = Math.max((Date.now() - since) / 1000, 0.001);
    const shown = name.length > nameWidth ? `…${name.slice(-(nameWidth - 1))}` : name.padEnd(nameWidth);
    return {
      name: shown,
      size: bytesText(size),
      done: bytesText(moved),
      speed: `${bytesText(moved / seconds)}/s`,
      status,
    };
  };
  // The status goes first on the total line, so a narrow terminal cuts the bytes, not the status.
  const total = bars.create(1, 0, fields('total', 0, 0, began, ''), {
    format: '{name} {status} |{bar}| {percentage}% {done}/{size} {speed}',
  });
  const drawTotal = (): void => {
    total.setTotal(Math.max(totalBytes, 1));
    total.update(
      movedBytes,
      fields(
        'total',
        totalBytes,
        movedBytes,
        began,
        statusLine(done, running, failed, hostNames.length, Date.now() - began),
      ),
    );
  };
  // The elapsed time moves even when no byte does.
  const ticker = setInterval(drawTotal, 500);
  drawTotal();
  // Rows for bars: the terminal's height less the total line and the cursor's line.
  const maxSlots = (): number => Math.max(1, (process.stderr.rows ?? 24) - 2);
  const draw = (h: HostState, status = ''): void => {
    if (!h.slot) return;
    h.slot.bar.setTotal(Math.max(h.total, 1));
    // An empty file (or tree) that arrived is a full bar, not 0 of 0.
    h.slot.bar.update(
      status === 'ok' ? Math.max(h.total, 1) : h.bytes,
      fields(h.slot.host, h.total, h.bytes, h.began, status),
    );
  };
  const place = (host: string, h: HostState, slot: Slot): void => {
    slot.host = host;
    slot.ended = null;
    h.slot = slot;
    draw(h);
  };
  /** A row for a host that starts: a new one while the terminal has room, else one whose host ended (ok first). */
  const freeSlot = (): Slot | undefined => {
    if (slots.length < maxSlots()) {
      const slot: Slot = { bar: bars.create(1, 0, fields('', 0, 0, Date.now(), '')), host: '', ended: 'ok' };
      slots.push(slot);
      return slot;
    }
    return slots.find((s) => s.ended === 'ok') ?? slots.find((s) => s.ended === 'failed');
  };
  return {
    start(host) {
      running += 1;
      const h: HostState = { total: 0, bytes: 0, began: Date.now(), slot: null };
      hosts.set(host, h);
      const slot = freeSlot();
      if (slot) place(host, h, slot);
      else waiting.push(host);
      drawTotal();
    },
    plan(host, size) {
      const h = hosts.get(host);
      if (!h) return;
      h.total = size;
      totalBytes += size;
      draw(h);
      drawTotal();
    },
    progress(host, bytes) {
      const h = hosts.get(host);
      if (!h) return;
      movedBytes += bytes - h.bytes;
      h.bytes = bytes;
      draw(h);
      drawTotal();
    },
    end(outcome) {
      const h = hosts.get(outcome.host);
      const bad = outcome.error !== undefined || outcome.code !== 0;
      done += 1;
      if (bad && outcome.error?.code !== 'NOT_STARTED') failed += 1;
      if (h) {
        running -= 1;
        const index = waiting.indexOf(outcome.host);
        if (index >= 0) waiting.splice(index, 1);
        draw(h, bad ? `FAILED ${outcome.error?.code ?? `exit ${outcome.code}`}` : 'ok');
        const slot = h.slot;
        h.slot = null;
        if (slot) {
          slot.ended = bad ? 'failed' : 'ok';
          // A host waiting for a row takes this one; otherwise the row keeps showing how this host ended.
          const next = waiting.shift();
          const n = next === undefined ? undefined : hosts.get(next);
          if (next !== undefined && n) place(next, n, slot);
        }
      }
      drawTotal();
    },
    stop() {
      clearInterval(ticker);
      drawTotal();
      bars.stop();
    },
  };
}
