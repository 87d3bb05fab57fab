// Terminal figures (issue 12): keystroke echo latency (write one byte, time until its echo comes back)
// p50/p99 over 500 keys, and 100 MiB of `cat` through a terminal, framesh (TLS, the real `framesh serve`)
// beside `ssh -tt` to a private sshd on loopback in the same run. Also measured, as the floor of any
// Node server with node-pty: a bare relay (bench/peers/pty-relay.mjs: TLS in, node-pty, TLS out, nothing
// else) for both figures, and node-pty alone reading the cat in one process (bench/peers/pty-read.mjs).
// The cat rates run from the first output byte to the end, so that neither side's login counts (ssh's
// runs the account's shell start-up files, which on this host once waited 60 s for a stale lock).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../dist/index.js';
import tls from 'node:tls';
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
  // Key -1 waits for the remote terminal to be there (a login may take long) and is not counted.
  for (let i = -1; i < KEYS; i++) {
    const echoed = new Promise((resolve) => (waiting = resolve));
    const started = performance.now();
    write(Buffer.from('a'));
    await withTimeout(echoed, i < 0 ? 120_000 : 5000, 'echo');
    if (i >= 0) times.push(performance.now() - started);
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
    const big = client.exec(catCommand(file), { pty: { term: 'xterm', cols: 80, rows: 24 } });
    const count = countBytes((fn) => big.stdout.on('data', fn));
    await withTimeout(big.exit, 300_000, 'framesh terminal cat');
    if (count.bytes !== BYTES) throw new Error(`framesh terminal moved ${count.bytes} bytes`);
    return { times, mbps: count.mbps() };
  } finally {
    await client.close();
  }
}

/** Counts the bytes of a stream and times them from the first. */
function countBytes(onData) {
  const count = { bytes: 0, first: 0, mbps: () => BYTES / MiB / ((performance.now() - count.first) / 1000) };
  onData((chunk) => {
    if (count.bytes === 0) count.first = performance.now();
    count.bytes += chunk.length;
  });
  return count;
}

const PEERS = fileURLToPath(new URL('./peers/', import.meta.url));

/** Starts a peer script that prints its port (or a figure) on its first line; resolves with that line. */
function peer(script, args) {
  const child = spawn(process.execPath, [path.join(PEERS, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = withTimeout(
    new Promise((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (c) => {
        text += c;
        if (text.includes('\n')) resolve(text.trim());
      });
      child.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
    }),
    300_000,
    script,
  );
  return { child, line };
}

/** The bare relay: echo times and cat MB/s through TLS + node-pty with nothing of framesh's. */
async function bareRelay(home, file) {
  const keys = [path.join(home, 'host_ed25519'), path.join(home, 'host_cert.pem')];
  const connectTo = async (command) => {
    const relay = peer('pty-relay.mjs', [...keys, command]);
    const port = Number(await relay.line);
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    socket.setNoDelay(true);
    await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    return { relay, socket };
  };
  const echo = await connectTo('exec cat > /dev/null');
  const times = await echoTimes(
    (b) => echo.socket.write(b),
    (fn) => echo.socket.on('data', fn),
  );
  echo.socket.destroy();
  echo.relay.child.kill();
  const big = await connectTo(catCommand(file));
  const count = countBytes((fn) => big.socket.on('data', fn));
  await withTimeout(new Promise((resolve) => big.socket.once('end', resolve)), 300_000, 'bare relay cat');
  const mbps = count.mbps();
  const bytes = count.bytes;
  big.socket.destroy();
  big.relay.child.kill();
  // node-pty may report the exit before the last kernel buffer is read (framesh holds the terminal open
  // for it, PROTOCOL.md §11.3); the bare relay does not, so it may drop that tail.
  if (bytes < BYTES - MiB) throw new Error(`bare relay moved ${bytes} bytes`);
  return { times, mbps };
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
  const big = sshProcess(base, catCommand(file));
  const count = countBytes((fn) => big.child.stdout.on('data', fn));
  await withTimeout(big.exited, 300_000, 'ssh -tt cat');
  // ssh -tt may add a "Connection closed" line on stderr only; stdout holds the bytes.
  if (count.bytes < BYTES) throw new Error(`ssh -tt moved ${count.bytes} bytes`);
  return { times, mbps: count.mbps() };
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
    const bare = await bareRelay(home, file);
    const alone = Number(await peer('pty-read.mjs', [file]).line);
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
      {
        name: 'floor: bare Node relay (TLS + node-pty, nothing else), echo p50',
        value: `${p(bare.times, 50)} ms (p99 ${p(bare.times, 99)} ms)`,
        baseline: `framesh ${p(ours.times, 50)} ms`,
        ratio: fmt(percentile(ours.times, 50) / percentile(bare.times, 50), 2),
      },
      {
        name: 'floor: bare Node relay, cat',
        value: `${fmt(bare.mbps, 0)} MB/s`,
        baseline: `framesh ${fmt(ours.mbps, 0)} MB/s`,
        ratio: fmt(ours.mbps / bare.mbps, 2),
      },
      {
        name: 'floor: node-pty alone reading the cat in one process',
        value: `${fmt(alone, 0)} MB/s`,
        ...(theirs && { baseline: `ssh -tt ${fmt(theirs.mbps, 0)} MB/s`, ratio: fmt(alone / theirs.mbps, 2) }),
      },
    ]);
    return { ours, theirs, bare, alone };
  } finally {
    sshd?.stop();
    await server.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(sshDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
