// Scale: 1000 clients connected at once, each running one command. Counts failures and commands/s;
// baseline is the same load with 100 clients on the same server. Prints the launcher, CPU time per
// command (server with its helpers, and client) and the server's peak RSS.
import { measured } from './concurrency.mjs';
import { fmt, report, startServer } from './lib.mjs';

const CLIENTS = Number(process.env.FRAMESH_BENCH_SCALE_CLIENTS ?? 1000);

export async function run() {
  console.log(`scale: ${CLIENTS} clients connected at once, one \`echo hi\` each`);
  const server = await startServer();
  try {
    const big = await measured(server, CLIENTS, 1);
    const small = await measured(server, 100, 1);
    if (big.errors.length) console.log(`  first error: ${big.errors[0]?.code ?? ''} ${big.errors[0]?.message}`);
    const ms = (s, n) => fmt((s / n) * 1000, 3);
    report([
      {
        name: `${CLIENTS} clients`,
        value: `${big.failures} failures, ${fmt(big.ok / big.seconds, 0)} commands/s, ${fmt(big.seconds, 2)} s; CPU/cmd server ${ms(big.serverCpuS, big.ok)} ms, client ${ms(big.clientCpuS, big.ok)} ms; server peak RSS ${fmt(big.peakMb, 0)} MB; launcher: ${server.launcher}`,
        baseline: `100 clients ${fmt(small.ok / small.seconds, 0)} commands/s`,
        ratio: fmt(big.ok / big.seconds / (small.ok / small.seconds), 2),
        target: '0 failures, peak RSS < 150 MB',
        met: big.failures === 0 && big.peakMb < 150,
      },
    ]);
    return { failures: big.failures };
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
