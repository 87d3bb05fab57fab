// Concurrency (issue 13): 100 clients at once, each on its own connection running `echo hi` 20 times
// in sequence, 0 failures, measured on a server that has served one such load (its first load, while V8
// compiles the hot path, is printed beside; measuredWarm). Interleaved in the same run, ROUNDS times,
// best of each printed:
//   - framesh plaintext, with the posix_spawn launcher and the fallback (adaptive);
//   - python3 threads + subprocess (the classic threaded server's per-command work, no network);
//   - the classic threaded server end to end (bench/peers/threaded_exec_server.py, driven by 100 threaded
//     Python clients, bench/peers/threaded_exec_client.py);
//   - framesh over TLS with key authentication (the real `framesh serve` CLI);
//   - Node's own spawn rate in one process (what a fork-based launcher is bounded by);
//   - the floor: framesh's posix_spawn launcher alone in a fresh process, no network (peers/spawn-floor.mjs);
//   - the ssh2 library (100 connections) against a private sshd, where OpenSSH is installed.
// All 100 clients connect from 127.0.0.1 at once, so the TLS server runs with its startup limits raised
// (sshd gets MaxStartups 200 likewise): by default framesh, like sshd with PerSourceMaxStartups, refuses
// a crowd of unauthenticated connections from one address, which is not what this figure measures.
// For each framesh figure: CPU time per command of server (with its helpers) and client, the launcher
// that ran, and the server's peak RSS.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../dist/index.js';
import { cpuSecondsOf, fmt, memoryOf, report, startServer, withTimeout } from './lib.mjs';
import { startCliServer, startSshd } from './external-servers.mjs';

/** `framesh serve` flags for a crowd of clients from one address (see the header comment). */
export const CROWD_LIMITS = ['--max-startups', '200', '--per-source-max-startups', '0'];

const CLIENTS = Number(process.env.FRAMESH_BENCH_CLIENTS ?? 100);
const EACH = Number(process.env.FRAMESH_BENCH_EACH ?? 20);
const ROUNDS = Number(process.env.FRAMESH_BENCH_ROUNDS ?? 3);
const SSH2_EACH = Number(process.env.FRAMESH_BENCH_SSH2_EACH ?? 2);
const PEERS = fileURLToPath(new URL('./peers/', import.meta.url));

/** Runs the load against `port`; resolves with {ok, failures, seconds, clientCpuS, errors}. */
export async function load(port, clients, each, connectOptions = { insecure: true }) {
  let ok = 0;
  const errors = [];
  const connections = await Promise.all(
    Array.from({ length: clients }, () =>
      connect({ host: '127.0.0.1', port, timeoutMs: 30_000, ...connectOptions }).catch((err) => err),
    ),
  );
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    connections.map(async (client) => {
      if (client instanceof Error) {
        errors.push(client);
        return;
      }
      for (let i = 0; i < each; i++) {
        try {
          const result = await withTimeout(client.run('echo hi'), 30_000, 'echo hi');
          if (result.code === 0 && result.stdout === 'hi\n') ok++;
          else errors.push(new Error(`bad result ${JSON.stringify(result)}`));
        } catch (err) {
          errors.push(err);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await Promise.all(connections.map((c) => (c instanceof Error ? null : c.close())));
  return { ok, failures: clients * each - ok, seconds, clientCpuS: (used.user + used.system) / 1e6, errors };
}

/** `load` with the server's CPU and peak RSS around it. */
export async function measured(server, clients, each, connectOptions) {
  const before = cpuSecondsOf(server.pid);
  const r = await load(server.port, clients, each, connectOptions);
  return { ...r, serverCpuS: cpuSecondsOf(server.pid) - before, peakMb: memoryOf(server.pid).peakMb };
}

/**
 * What a server that has been serving reaches (the figure compared): one load of the same shape first,
 * its rate kept as `freshRate` and printed, then the measured one. V8 compiles the server's and the
 * client's hot paths while the first few thousand commands run, so a fresh process's first load is
 * slower (0.6-0.8 of the next on the hosts of 2026-12-03; docs/BENCHMARKS.md). Failures of both count.
 */
async function measuredWarm(server, clients, each, connectOptions) {
  const fresh = await load(server.port, clients, each, connectOptions);
  const r = await measured(server, clients, each, connectOptions);
  return {
    ...r,
    freshRate: fresh.ok / fresh.seconds,
    failures: r.failures + fresh.failures,
    errors: [...fresh.errors, ...r.errors],
  };
}

/** Node's spawn of `sh -c 'echo hi'`, `concurrency` at a time, in this process. */
async function localSpawnRate(total, concurrency) {
  let started = 0;
  let finished = 0;
  const begun = performance.now();
  await withTimeout(
    new Promise((resolve) => {
      const next = () => {
        if (started >= total) return;
        started++;
        const child = spawn('/bin/sh', ['-c', 'echo hi'], { detached: true });
        child.stdout.resume();
        child.stderr.resume();
        child.stdin.end();
        child.on('close', () => (++finished === total ? resolve() : next()));
      };
      for (let i = 0; i < concurrency; i++) next();
    }),
    120_000,
    'local spawn baseline',
  );
  return total / ((performance.now() - begun) / 1000);
}

/**
 * The floor under framesh's figure: its posix_spawn launcher alone in a fresh process, warm, with the
 * plain environment object the server hands every launch (bench/peers/spawn-floor.mjs); no network, no
 * protocol, no client. Resolves with {rate, selfMs, childrenMs}, or null without the addon.
 */
async function spawnFloor(total, concurrency) {
  const child = spawn(process.execPath, [path.join(PEERS, 'spawn-floor.mjs'), String(total), String(concurrency)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(await output(child, 'spawn floor'));
}

const PYTHON_THREADS = `
import subprocess, sys, time, concurrent.futures as cf
total, threads = int(sys.argv[1]), int(sys.argv[2])
run = lambda _: subprocess.run('echo hi', shell=True, capture_output=True)
begun = time.perf_counter()
with cf.ThreadPoolExecutor(threads) as pool: list(pool.map(run, range(total)))
print(total / (time.perf_counter() - begun))
`;

function python(args, stdin = 'ignore') {
  return spawn('python3', args, { stdio: [stdin, 'pipe', 'inherit'] });
}

function output(child, what) {
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  return withTimeout(
    new Promise((resolve) =>
      child.once('close', (code) => resolve(code === 0 ? out : null)).once('error', () => resolve(null)),
    ),
    180_000,
    what,
  );
}

/** python3 threads + subprocess, or null without python3. */
async function pythonThreadsRate(total, concurrency) {
  const out = await output(python(['-c', PYTHON_THREADS, String(total), String(concurrency)]), 'python baseline');
  return out === null ? null : Number(out.trim());
}

/** The classic threaded server end to end, or null without python3. */
async function classicServer(clients, each) {
  const server = python([path.join(PEERS, 'threaded_exec_server.py')], 'pipe');
  server.once('error', () => {});
  try {
    const port = await withTimeout(
      new Promise((resolve) => {
        server.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim())));
        server.once('close', () => resolve(null));
      }),
      15_000,
      'classic threaded server start',
    );
    if (!port) return null;
    const drive = () =>
      output(
        python([path.join(PEERS, 'threaded_exec_client.py'), String(port), String(clients), String(each)]),
        'classic clients',
      );
    // As framesh's servers are measured (measuredWarm): the second load of a server that served one.
    const fresh = await drive();
    if (fresh === null) return null;
    const before = cpuSecondsOf(server.pid);
    const out = await drive();
    if (out === null) return null;
    const r = JSON.parse(out);
    const first = JSON.parse(fresh);
    return {
      ...r,
      failures: r.failures + first.failures,
      freshRate: first.ok / first.seconds,
      serverCpuS: cpuSecondsOf(server.pid) - before,
      peakMb: memoryOf(server.pid).peakMb,
    };
  } finally {
    server.stdin.end();
    server.kill('SIGTERM');
  }
}

/** The ssh2 library: `clients` connections to a private sshd, each running `echo hi` `each` times. */
async function ssh2Rate(clients, each) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'framesh-bench-ssh2-'));
  const sshd = await startSshd(dir);
  if (!sshd) return null;
  try {
    const { Client } = (await import('ssh2')).default;
    const { readFileSync } = await import('node:fs');
    const port = Number(sshd.base[sshd.base.indexOf('-p') + 1]);
    const privateKey = readFileSync(path.join(dir, 'client_key'));
    const connectOne = () =>
      new Promise((resolve, reject) => {
        const c = new Client();
        c.once('ready', () => resolve(c)).once('error', reject);
        c.connect({ host: '127.0.0.1', port, username: os.userInfo().username, privateKey, readyTimeout: 30_000 });
      });
    const execOne = (c) =>
      new Promise((resolve, reject) => {
        c.exec('echo hi', (err, stream) => {
          if (err) return reject(err);
          let out = '';
          stream.on('data', (d) => (out += d));
          stream.stderr.resume();
          stream.once('close', (code) => resolve(code === 0 && out === 'hi\n'));
        });
      });
    const connections = await Promise.all(Array.from({ length: clients }, () => connectOne().catch((err) => err)));
    let ok = 0;
    const begun = performance.now();
    await withTimeout(
      Promise.all(
        connections.map(async (c) => {
          if (c instanceof Error) return;
          for (let i = 0; i < each; i++) if (await execOne(c).catch(() => false)) ok++;
        }),
      ),
      180_000,
      'ssh2 baseline',
    );
    const seconds = (performance.now() - begun) / 1000;
    for (const c of connections) if (!(c instanceof Error)) c.end();
    return { ok, failures: clients * each - ok, seconds };
  } finally {
    sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const best = (list) => list.filter(Boolean).sort((a, b) => b.ok / b.seconds - a.ok / a.seconds)[0] ?? null;
const perCmd = (seconds, n) => `${fmt((seconds / n) * 1000, 3)} ms`;

export async function run() {
  const total = CLIENTS * EACH;
  console.log(
    `concurrency: ${CLIENTS} clients x ${EACH} \`echo hi\` each, one connection per client; ${ROUNDS} interleaved rounds, best shown; machine shared (load ${os.loadavg()[0].toFixed(2)})`,
  );
  const home = mkdtempSync(path.join(os.tmpdir(), 'framesh-bench-conc-'));
  const runs = { native: [], adaptive: [], tls: [], python: [], classic: [], local: [], floor: [], ssh2: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of ['native', 'adaptive']) {
        const server = await startServer({ launcher: name });
        try {
          runs[name].push({ ...(await measuredWarm(server, CLIENTS, EACH)), launcher: server.launcher });
        } finally {
          await server.stop();
        }
      }
      runs.python.push(await pythonThreadsRate(total, CLIENTS));
      runs.classic.push(await classicServer(CLIENTS, EACH));
      const secure = await startCliServer(home, CROWD_LIMITS);
      try {
        runs.tls.push({ ...(await measuredWarm(secure, CLIENTS, EACH, { home })), launcher: secure.launcher });
      } finally {
        await secure.stop();
      }
      runs.local.push(await localSpawnRate(total, CLIENTS));
      runs.floor.push(await spawnFloor(total, CLIENTS));
    }
    // Once, after the rounds, with SSH2_EACH commands per connection: sshd runs each command through
    // the account's shell, which reads its rc files (here root's ~/.bashrc runs `pyenv init`, ~170 ms a
    // command), so this is what an ssh2 user gets on this machine, not a like-for-like of framesh.
    runs.ssh2.push(await ssh2Rate(CLIENTS, SSH2_EACH));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  const pythonRates = runs.python.filter((x) => x !== null);
  const pythonRate = pythonRates.length ? Math.max(...pythonRates) : NaN;
  const classic = best(runs.classic);
  const classicRate = classic ? classic.ok / classic.seconds : NaN;
  const localRate = Math.max(...runs.local);
  const floor = runs.floor.filter(Boolean).sort((a, b) => b.rate - a.rate)[0] ?? null;
  const rows = [
    {
      name: 'baseline: Node spawn in one process',
      value: `${fmt(localRate, 0)} commands/s (${CLIENTS} at a time, no network)`,
    },
    ...(floor
      ? [
          {
            name: 'floor: the posix_spawn launcher alone (fresh process, warm, no network, no client)',
            value: `${fmt(floor.rate, 0)} commands/s; CPU/cmd ${fmt(floor.selfMs, 3)} ms in the process, ${fmt(floor.childrenMs, 3)} ms in the commands`,
            baseline: `python3 ${fmt(pythonRate, 0)}/s; Node spawn ${fmt(localRate, 0)}/s`,
            ratio: `${fmt(floor.rate / pythonRate, 2)} × python3; ${fmt(floor.rate / localRate, 2)} × Node spawn`,
          },
        ]
      : []),
    {
      name: 'baseline: python3 threads + subprocess',
      value: `${fmt(pythonRate, 0)} commands/s (the classic server's per-command work)`,
    },
    ...(classic
      ? [
          {
            name: 'baseline: classic threaded server end to end',
            value: `${fmt(classicRate, 0)} commands/s, ${classic.failures} failures, server CPU ${perCmd(classic.serverCpuS, classic.ok)}/cmd, client CPU ${perCmd(classic.cpu_seconds, classic.ok)}/cmd, server peak RSS ${fmt(classic.peakMb, 0)} MB; its first load ${fmt(classic.freshRate, 0)}/s`,
          },
        ]
      : []),
  ];
  for (const [name, label, runsOf] of [
    ['native', 'plaintext', runs.native],
    ['adaptive', 'plaintext, fallback launcher', runs.adaptive],
    ['tls', 'TLS + key auth (framesh serve)', runs.tls],
  ]) {
    const r = best(runsOf);
    if (r.errors.length) console.log(`  first error (${name}): ${r.errors[0]?.code ?? ''} ${r.errors[0]?.message}`);
    const rate = r.ok / r.seconds;
    rows.push({
      name: `framesh ${label}`,
      value: `${fmt(rate, 0)} commands/s, ${r.failures} failures; CPU/cmd server ${perCmd(r.serverCpuS, r.ok)}, client ${perCmd(r.clientCpuS, r.ok)}; server peak RSS ${fmt(r.peakMb, 0)} MB; launcher: ${r.launcher}; ${floor ? `${fmt(rate / floor.rate, 2)} of the launcher floor; ` : ''}a fresh server's first load ${fmt(r.freshRate, 0)}/s (${fmt(r.freshRate / pythonRate, 2)} / ${fmt(r.freshRate / classicRate, 2)})`,
      baseline: `python3 ${fmt(pythonRate, 0)}/s, classic e2e ${fmt(classicRate, 0)}/s`,
      ratio: `${fmt(rate / pythonRate, 2)} / ${fmt(rate / classicRate, 2)}`,
      target: name === 'tls' ? '>= 1.0 x python3, 0 failures' : '>= 1.2 x both, 0 failures',
      met:
        r.failures === 0 &&
        (name === 'tls' ? rate >= pythonRate : rate >= 1.2 * pythonRate && rate >= 1.2 * classicRate),
    });
  }
  const ssh2 = runs.ssh2[0];
  if (ssh2) {
    rows.push({
      name: 'also: the ssh2 library against a private sshd',
      value: `${fmt(ssh2.ok / ssh2.seconds, 0)} commands/s, ${ssh2.failures} failures (${CLIENTS} connections x ${SSH2_EACH}; commands go through the account's shell and its rc files)`,
    });
  }
  report(rows);
  return runs;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
