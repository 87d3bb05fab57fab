// Concurrency: N clients at once, each on its own connection running
// `echo hi` M times in sequence. Counts failures and commands per second.
// Baselines in the same run: this process spawning the same commands with the
// same concurrency (Node's own spawn rate, no network), and python3 threads
// running them with subprocess (the per-command work of the classic
// thread-per-connection server).
import { spawn } from 'node:child_process';
import { connect } from '../dist/index.js';
import { fmt, report, startServer, withTimeout } from './lib.mjs';

const CLIENTS = Number(process.env.FRAMESH_BENCH_CLIENTS ?? 100);
const EACH = Number(process.env.FRAMESH_BENCH_EACH ?? 20);
const TARGET_PER_S = 1300;

/** Runs the load against `port`; resolves with {ok, failures, seconds, errors}. */
export async function load(port, clients, each) {
  let ok = 0;
  const errors = [];
  const connections = await Promise.all(
    Array.from({ length: clients }, () => connect({ host: '127.0.0.1', port, insecure: true, timeoutMs: 30_000 }).catch((err) => err)),
  );
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
  await Promise.all(connections.map((c) => (c instanceof Error ? null : c.close())));
  return { ok, failures: clients * each - ok, seconds, errors };
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

const PYTHON_THREADS = `
import subprocess, sys, time, concurrent.futures as cf
total, threads = int(sys.argv[1]), int(sys.argv[2])
run = lambda _: subprocess.run('echo hi', shell=True, capture_output=True)
begun = time.perf_counter()
with cf.ThreadPoolExecutor(threads) as pool: list(pool.map(run, range(total)))
print(total / (time.perf_counter() - begun))
`;

/** python3 threads + subprocess, or null without python3. */
async function pythonThreadsRate(total, concurrency) {
  const child = spawn('python3', ['-c', PYTHON_THREADS, String(total), String(concurrency)], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const code = await withTimeout(new Promise((resolve) => child.once('close', resolve).once('error', () => resolve(null))), 120_000, 'python baseline');
  return code === 0 ? Number(out.trim()) : null;
}

export async function run({ launcher } = {}) {
  const launchers = launcher ? [launcher] : ['child', 'pool', 'adaptive'];
  console.log(`concurrency: ${CLIENTS} clients x ${EACH} \`echo hi\` each, one connection per client`);
  const results = {};
  for (const name of launchers) {
    const server = await startServer({ launcher: name });
    try {
      const r = await load(server.port, CLIENTS, EACH);
      results[name] = r;
      if (r.errors.length) console.log(`  first error (${name}): ${r.errors[0]?.code ?? ''} ${r.errors[0]?.message}`);
    } finally {
      await server.stop();
    }
  }
  const total = CLIENTS * EACH;
  const local = await localSpawnRate(total, CLIENTS);
  const python = await pythonThreadsRate(total, CLIENTS);
  const rows = [
    { name: 'baseline: Node spawn in one process', value: `${fmt(local, 0)} commands/s (${CLIENTS} at a time, no network)` },
    ...(python ? [{ name: 'baseline: python3 threads + subprocess', value: `${fmt(python, 0)} commands/s (the classic server's per-command work)` }] : []),
  ];
  const base = results.child;
  for (const [name, r] of Object.entries(results)) {
    const rate = r.ok / r.seconds;
    rows.push({
      name: `launcher ${name}`,
      value: `${fmt(rate, 0)} commands/s, ${r.failures} failures`,
      baseline: `Node spawn ${fmt(local, 0)}/s${base && name !== 'child' ? `, child_process launcher ${fmt(base.ok / base.seconds, 0)}/s` : ''}`,
      ratio: fmt(rate / local, 2),
      target: `>= ${TARGET_PER_S}/s, 0 failures`,
      met: rate >= TARGET_PER_S && r.failures === 0,
    });
  }
  report(rows);
  return { ...results, localSpawnPerS: local, pythonPerS: python };
}

if (import.meta.url === `file://${process.argv[1]}`) await run({ launcher: process.argv[2] });
