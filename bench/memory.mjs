// Memory: peak RSS (VmHWM) of a server process while one client reads
// 1 GiB of command output at about 20 MB/s. Baseline: the same server's
// RSS when idle after startup.
import { connect } from '../dist/index.js';
import { GiB, MiB, fmt, memoryOf, report, startServer, withTimeout } from './lib.mjs';

const BYTES = Number(process.env.FRAMESH_BENCH_MEMORY_BYTES ?? GiB);
const RATE = 20 * 1000 * 1000;
const TARGET_MB = 150;

async function slowRead(port) {
  const client = await connect({ host: '127.0.0.1', port, insecure: true });
  try {
    const call = client.exec(['head', '-c', String(BYTES), '/dev/zero']);
    call.stdin.end();
    call.stderr.resume();
    const started = performance.now();
    let bytes = 0;
    call.stdout.on('data', (chunk) => {
      bytes += chunk.length;
      const aheadMs = (bytes / RATE) * 1000 - (performance.now() - started);
      if (aheadMs > 5) {
        call.stdout.pause();
        setTimeout(() => call.stdout.resume(), aheadMs);
      }
    });
    const ended = new Promise((resolve) => call.stdout.once('end', resolve));
    const [exit] = await withTimeout(Promise.all([call.exit, ended]), (BYTES / RATE) * 1000 * 2 + 30_000, 'slow read');
    if (exit.code !== 0 || bytes !== BYTES)
      throw new Error(`slow read ended with ${JSON.stringify(exit)} after ${bytes} bytes`);
    return bytes / MiB / ((performance.now() - started) / 1000);
  } finally {
    await client.close();
  }
}

export async function run() {
  console.log(`memory: server peak RSS while a client reads ${BYTES / MiB} MiB at ~${RATE / 1e6} MB/s`);
  const server = await startServer();
  try {
    const idle = memoryOf(server.pid);
    let samplePeak = 0;
    const sampler = setInterval(() => (samplePeak = Math.max(samplePeak, memoryOf(server.pid).rssMb)), 100);
    const rate = await slowRead(server.port).finally(() => clearInterval(sampler));
    const after = memoryOf(server.pid);
    report([
      {
        name: 'server peak RSS (VmHWM)',
        value: `${fmt(after.peakMb)} MB (sampled max ${fmt(samplePeak)} MB, read at ${fmt(rate)} MiB/s)`,
        baseline: `idle server ${fmt(idle.rssMb)} MB`,
        ratio: fmt(after.peakMb / idle.rssMb, 2),
        target: `< ${TARGET_MB} MB`,
        met: after.peakMb < TARGET_MB,
      },
    ]);
    return { peakMb: after.peakMb, idleMb: idle.rssMb };
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
