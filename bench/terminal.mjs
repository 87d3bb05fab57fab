// Terminal figures (issue 12): keystroke echo latency (write one byte, time until its echo comes back)
// p50/p99 over 500 keys, and 100 MiB of `cat` through a terminal, framesh (TLS, the real `framesh serve`)
// beside `ssh -tt` to a private sshd on loopback in the same run.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../dist/index.js';
import { MiB, fmt, percentile, report, withTimeout } from './lib.mjs';
import { startCliServer, startSshd } from './external-servers.mjs';

const KEYS = 500;
const BYTES = Number(process.env.FRAMESH_BENCH_TERMINAL_BYTES ?? 100 * MiB);
/** The terminal side: `cat` of a sparse file of BYTES zeros (no newlines, so no CR LF expansion). */
const catCommand = (file) => `exec cat ${file}`;

/** Times `KEYS` round trips: one byte written, its echo (the terminal's own, as when typing) read back. */
async function echoTimes(write, onData) {
  const times = [];
  let waiting = null;
  onData((chunk) => {
    if (waiting && chunk.includes(0x61)) waiting();
  });
  for (let i = 0; i < KEYS; i++) {
    const echoed = new Promise((resolve) => (waiting = resolve));
    const started = performance.now();
    write(Buffer.from('a'));
    await withTimeout(echoed, 5000, 'echo');
    times.push(performance.now() - started);
    // A newline now and then keeps the terminal's line buffer (4 KiB) from filling.
    if (i % 100 === 99) write(Buffer.from('\r'));
  }
  return times.sort((a, b) => a - b);
}

async function framesh(port, home, file) {
  const client = await connect({ host: '127.0.0.1', port, home });
  try {
    const echo = client.exec('exec cat > /dev/null', { pty: { term: 'xterm', cols: 80, rows: 24 } });
    await echo.started;
    const times = await echoTimes(
      (b) => echo.stdin.write(b),
      (fn) => echo.stdout.on('data', fn),
    );
    echo.cancel();
    await echo.exit;
    const started = performance.now();
    const big = client.exec(catCommand(file), { pty: { term: 'xterm', cols: 80, rows: 24 } });
    let bytes = 0;
    big.stdout.on('data', (c) => (bytes += c.length));
    await withTimeout(big.exit, 300_000, 'framesh terminal cat');
    if (bytes !== BYTES) throw new Error(`framesh terminal moved ${bytes} bytes`);
    return { times, mbps: BYTES / MiB / ((performance.now() - started) / 1000) };
  } finally {
    await client.close();
  }
}

function sshProcess(base, command) {
  const child = spawn('ssh', ['-tt', ...base, '127.0.0.1', command], { stdio: ['pipe', 'pipe', 'ignore'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { child, exited };
}

async function ssh(base, file) {
  const echo = sshProcess(base, 'exec cat > /dev/null');
  // Wait until the remote terminal is there: its first echo.
  const times = await echoTimes(
    (b) => echo.child.stdin.write(b),
    (fn) => echo.child.stdout.on('data', fn),
  );
  echo.child.kill('SIGTERM');
  await echo.exited;
  const started = performance.now();
  const big = sshProcess(base, catCommand(file));
  let bytes = 0;
  big.child.stdout.on('data', (c) => (bytes += c.length));
  await withTimeout(big.exited, 300_000, 'ssh -tt cat');
  // ssh -tt may add a "Connection closed" line on stderr only; stdout holds the bytes.
  if (bytes < BYTES) throw new Error(`ssh -tt moved ${bytes} bytes`);
  return { times, mbps: BYTES / MiB / ((performance.now() - started) / 1000) };
}

export async function run() {
  console.log(
    `terminal: echo latency over ${KEYS} keys; ${BYTES / MiB} MiB of cat through a terminal; framesh (TLS) vs ssh -tt`,
  );
  const home = mkdtempSync(path.join(os.tmpdir(), 'framesh-bench-term-'));
  const sshDir = mkdtempSync(path.join(os.tmpdir(), 'framesh-bench-ssh-'));
  const file = path.join(home, 'zeros');
  const { truncateSync, writeFileSync } = await import('node:fs');
  writeFileSync(file, '');
  truncateSync(file, BYTES);
  const server = await startCliServer(home);
  let sshd = null;
  try {
    const ours = await framesh(server.port, home, file);
    const p = (times, q) => fmt(percentile(times, q), 3);
    console.log(
      `  framesh: echo p50 ${p(ours.times, 50)} ms, p99 ${p(ours.times, 99)} ms; cat ${fmt(ours.mbps, 0)} MB/s (baseline next)`,
    );
    sshd = await startSshd(sshDir);
    const theirs = sshd ? await ssh(sshd.base, file) : null;
    report([
      {
        name: 'keystroke echo, p50',
        value: `${p(ours.times, 50)} ms (p99 ${p(ours.times, 99)} ms)`,
        baseline: theirs
          ? `ssh -tt ${p(theirs.times, 50)} ms (p99 ${p(theirs.times, 99)} ms)`
          : 'OpenSSH server not available',
        ...(theirs && {
          ratio: fmt(percentile(ours.times, 50) / percentile(theirs.times, 50), 2),
          target: "<= ssh's",
          met: percentile(ours.times, 50) <= percentile(theirs.times, 50),
        }),
      },
      {
        name: `${BYTES / MiB} MiB cat through a terminal`,
        value: `${fmt(ours.mbps, 0)} MB/s`,
        baseline: theirs ? `ssh -tt ${fmt(theirs.mbps, 0)} MB/s` : 'OpenSSH server not available',
        ...(theirs && { ratio: fmt(ours.mbps / theirs.mbps, 2), target: ">= ssh's", met: ours.mbps >= theirs.mbps }),
      },
    ]);
    return { ours, theirs };
  } finally {
    sshd?.stop();
    await server.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(sshDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
