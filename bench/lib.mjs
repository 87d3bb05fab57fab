// Shared helpers for the benchmark scripts: a server in its own process,
// timing, percentiles and printing. Every wait here is bounded.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * CPU seconds (user + system) used so far by process `pid` and its node children (a launcher's
 * helpers), not counting the commands they ran (those are reaped children: cutime, not utime).
 */
export function cpuSecondsOf(pid) {
  const ticks = 100; // USER_HZ on Linux
  const fieldsOf = (p) => {
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    return {
      comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      f: stat.slice(stat.lastIndexOf(')') + 2).split(' '),
    };
  };
  const cpu = ({ f }) => (Number(f[11]) + Number(f[12])) / ticks;
  let total = cpu(fieldsOf(pid));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const info = fieldsOf(entry);
      if (Number(info.f[1]) === pid && info.comm === 'node') total += cpu(info);
    } catch {
      // gone while we looked
    }
  }
  return total;
}

/** Starts bench/serve.mjs; resolves with its port, pid, launcher description and a stop(). */
export async function startServer({ launcher, nodeArgs = [] } = {}) {
  const env = { ...process.env };
  if (launcher) env.FRAMESH_LAUNCHER = launcher;
  const child = spawn(process.execPath, [...nodeArgs, `${here}serve.mjs`], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const info = await withTimeout(
    new Promise((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (chunk) => {
        text += chunk;
        const line = text.indexOf('\n');
        if (line >= 0) resolve(JSON.parse(text.slice(0, line)));
      });
      child.once('exit', (code) => reject(new Error(`bench server exited early (${code})`)));
    }),
    15_000,
    'bench server start',
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    port: info.port,
    pid: child.pid,
    launcher: info.launcher,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Rejects if `promise` takes longer than `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Peak resident set (VmHWM) and current RSS of a Linux process, in MB. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** One result line: name, value, baseline, ratio, target, met. */
export function report(rows) {
  for (const row of rows) {
    const met = row.met === undefined ? '' : row.met ? '  [target met]' : '  [target NOT met]';
    console.log(
      `  ${row.name}: ${row.value}${row.baseline ? `   baseline ${row.baseline}` : ''}${row.ratio ? `   ratio ${row.ratio}` : ''}${row.target ? `   target ${row.target}` : ''}${met}`,
    );
  }
}

export const fmt = (n, digits = 1) => n.toFixed(digits);

/** The median of a few rounds (the middle one of an odd count). */
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
/** Every round's value, as printed beside a median. */
export const spread = (values) => values.map((v) => fmt(v, 0)).join(', ');
