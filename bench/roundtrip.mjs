// Exec round trip: `true` run in sequence over one connection, p50/p99,
// beside child_process.spawn('true') in this same process.
import { spawn } from 'node:child_process';
import { connect } from '../dist/index.js';
import { fmt, percentile, report, startServer, withTimeout } from './lib.mjs';

const RUNS = Number(process.env.FRAMESH_BENCH_RUNS ?? 500);
const WARMUP = 20;

async function timeLocal() {
  const times = [];
  for (let i = 0; i < RUNS + WARMUP; i++) {
    const started = performance.now();
    await new Promise((resolve, reject) => {
      const child = spawn('true', [], { stdio: 'pipe' });
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (i >= WARMUP) times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

async function timeFramesh(port) {
  const client = await connect({ host: '127.0.0.1', port, insecure: true });
  try {
    const times = [];
    for (let i = 0; i < RUNS + WARMUP; i++) {
      const started = performance.now();
      const call = client.exec(['true']);
      call.stdin.end();
      call.stdout.resume();
      call.stderr.resume();
      const exit = await withTimeout(call.exit, 10_000, 'round trip');
      if (exit.code !== 0) throw new Error(`true failed: ${JSON.stringify(exit)}`);
      if (i >= WARMUP) times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b);
  } finally {
    await client.close();
  }
}

export async function run({ launcher } = {}) {
  const results = {};
  for (const name of launcher ? [launcher] : ['native', 'adaptive']) results[name] = await runOne(name);
  return results;
}

async function runOne(launcher) {
  console.log(`roundtrip: \`true\` x${RUNS} in sequence on one connection (launcher: ${launcher})`);
  const server = await startServer({ launcher });
  try {
    const remote = await timeFramesh(server.port);
    const local = await timeLocal();
    const [rp50, rp99, lp50, lp99] = [
      percentile(remote, 50),
      percentile(remote, 99),
      percentile(local, 50),
      percentile(local, 99),
    ];
    report([
      {
        name: 'framesh p50',
        value: `${fmt(rp50, 2)} ms`,
        baseline: `local spawn p50 ${fmt(lp50, 2)} ms`,
        ratio: `+${fmt(rp50 - lp50, 2)} ms`,
        target: '<= local + 0.5 ms',
        met: rp50 - lp50 <= 0.5,
      },
      {
        name: 'framesh p99',
        value: `${fmt(rp99, 2)} ms`,
        baseline: `local spawn p99 ${fmt(lp99, 2)} ms`,
        ratio: `+${fmt(rp99 - lp99, 2)} ms`,
      },
    ]);
    return { rp50, rp99, lp50, lp99 };
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run({ launcher: process.argv[2] });
