// Concurrency: N clients at once, each on its own connection running
// `echo hi` M times in sequence. Counts failures and commands per second.
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
  const rows = [];
  const base = results.child;
  for (const [name, r] of Object.entries(results)) {
    const rate = r.ok / r.seconds;
    rows.push({
      name: `launcher ${name}`,
      value: `${fmt(rate, 0)} commands/s, ${r.failures} failures`,
      ...(base && name !== 'child' && { baseline: `child_process launcher ${fmt(base.ok / base.seconds, 0)} commands/s`, ratio: fmt(rate / (base.ok / base.seconds), 2) }),
      target: `>= ${TARGET_PER_S}/s, 0 failures`,
      met: rate >= TARGET_PER_S && r.failures === 0,
    });
  }
  report(rows);
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) await run({ launcher: process.argv[2] });
