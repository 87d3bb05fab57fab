// Scale: 1000 clients connected at once, each running one command. Counts
// failures; baseline is the same load with 100 clients.
import { load } from './concurrency.mjs';
import { fmt, report, startServer } from './lib.mjs';

const CLIENTS = Number(process.env.FRAMESH_BENCH_SCALE_CLIENTS ?? 1000);

export async function run() {
  console.log(`scale: ${CLIENTS} clients connected at once, one \`echo hi\` each`);
  const server = await startServer();
  try {
    const big = await load(server.port, CLIENTS, 1);
    const small = await load(server.port, 100, 1);
    if (big.errors.length) console.log(`  first error: ${big.errors[0]?.code ?? ''} ${big.errors[0]?.message}`);
    report([
      { name: `${CLIENTS} clients`, value: `${big.failures} failures, ${fmt(big.ok / big.seconds, 0)} commands/s, ${fmt(big.seconds, 2)} s`, baseline: `100 clients ${fmt(small.ok / small.seconds, 0)} commands/s`, ratio: fmt(big.ok / big.seconds / (small.ok / small.seconds), 2), target: '0 failures', met: big.failures === 0 },
    ]);
    return { failures: big.failures };
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
