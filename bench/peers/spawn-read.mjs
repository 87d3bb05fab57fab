// The baseline of the plaintext stream (bench/throughput.mjs): the command spawned locally and its
// stdout read in this one process, fresh, as the framesh client reads its stream in a fresh process.
// Usage: node spawn-read.mjs BYTES   (prints MB/s)
import { spawn } from 'node:child_process';

const BYTES = Number(process.argv[2]);
const started = performance.now();
const child = spawn('head', ['-c', String(BYTES), '/dev/zero'], { stdio: ['ignore', 'pipe', 'inherit'] });
let bytes = 0;
child.stdout.on('data', (chunk) => (bytes += chunk.length));
await new Promise((resolve) => child.once('close', resolve));
if (bytes !== BYTES) {
  console.error(`got ${bytes} bytes`);
  process.exit(1);
}
console.log(BYTES / 2 ** 20 / ((performance.now() - started) / 1000));
