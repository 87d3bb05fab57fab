/**
 * What `put -H`/`get -H` draw on a terminal: one line for the whole run (bytes of all hosts, and the
 * live status: done/running/failed/total, elapsed), then one bar per host as it starts. When there are
 * more hosts than the terminal has rows, a host's bar goes once it finished well, so the failed and the
 * running stay in view. Not a terminal, or -q/--json/--summary-only: nothing is drawn.
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

interface HostBar {
  readonly bar: cliProgress.SingleBar;
  total: number;
  bytes: number;
  readonly began: number;
}

export function fanoutProgressView(enabled: boolean, hostCount: number): FanoutProgressView {
  if (!enabled || !process.stderr.isTTY) return SILENT;
  const bars = new cliProgress.MultiBar(
    { stream: process.stderr, format: '{name} |{bar}| {percentage}% {done}/{size} {speed} {status}', hideCursor: true, clearOnComplete: false, barsize: 20 },
    cliProgress.Presets.shades_classic,
  );
  const began = Date.now();
  const hosts = new Map<string, HostBar>();
  let totalBytes = 0;
  let movedBytes = 0;
  let done = 0;
  let running = 0;
  let failed = 0;
  const total = bars.create(1, 0, fields('total', 0, 0, began, ''));
  const drawTotal = (): void => {
    total.setTotal(Math.max(totalBytes, 1));
    total.update(movedBytes, fields('total', totalBytes, movedBytes, began, statusLine(done, running, failed, hostCount, Date.now() - began)));
  };
  drawTotal();
  // The elapsed time moves even when no byte does.
  const ticker = setInterval(drawTotal, 500);
  const rows = (): number => process.stderr.rows ?? 24;
  return {
    start(host) {
      running += 1;
      hosts.set(host, { bar: bars.create(1, 0, fields(host, 0, 0, Date.now(), '')), total: 0, bytes: 0, began: Date.now() });
      drawTotal();
    },
    plan(host, size) {
      const h = hosts.get(host);
      if (!h) return;
      h.total = size;
      totalBytes += size;
      h.bar.setTotal(Math.max(size, 1));
      h.bar.update(size === 0 ? 0 : h.bytes, fields(host, size, h.bytes, h.began, ''));
      drawTotal();
    },
    progress(host, bytes) {
      const h = hosts.get(host);
      if (!h) return;
      movedBytes += bytes - h.bytes;
      h.bytes = bytes;
      h.bar.update(bytes, fields(host, h.total, bytes, h.began, ''));
      drawTotal();
    },
    end(outcome) {
      const h = hosts.get(outcome.host);
      const bad = outcome.error !== undefined || outcome.code !== 0;
      done += 1;
      if (bad && outcome.error?.code !== 'NOT_STARTED') failed += 1;
      if (h) {
        running -= 1;
        const status = bad ? `FAILED ${outcome.error?.code ?? `exit ${outcome.code}`}` : 'ok';
        h.bar.update(bad ? h.bytes : Math.max(h.total, 1), fields(outcome.host, h.total, h.bytes, h.began, status));
        if (!bad && hosts.size + 2 > rows()) {
          bars.remove(h.bar);
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

function fields(name: string, size: number, moved: number, since: number, status: string): Record<string, string> {
  const seconds = Math.max((Date.now() - since) / 1000, 0.001);
  return { name: name.length > 24 ? `…${name.slice(-23)}` : name.padEnd(24), size: bytesText(size), done: bytesText(moved), speed: `${bytesText(moved / seconds)}/s`, status };
}
