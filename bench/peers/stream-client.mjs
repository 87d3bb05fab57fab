// A library client in a fresh process (bench/tls.mjs): streams `head -c BYTES /dev/zero` from a framesh
// server and prints MB/s. In its own process, so the figure is framesh's, not that of a benchmark
// process whose heap earlier figures grew (run-all runs every figure in one process).
// Usage: node stream-client.mjs PORT BYTES (HOME | --insecure)
import { connect } from '../../dist/index.js';

const [port, bytesText, homeOrInsecure] = process.argv.slice(2);
const BYTES = Number(bytesText);
const client = await connect({
  host: '127.0.0.1',
  port: Number(port),
  ...(homeOrInsecure === '--insecure' ? { insecure: true } : { home: homeOrInsecure }),
});
const started = performance.now();
const call = client.exec(['head', '-c', String(BYTES), '/dev/zero']);
call.stdin.end();
let bytes = 0;
call.stdout.on('data', (c) => (bytes += c.length));
await call.exit;
const seconds = (performance.now() - started) / 1000;
await client.close();
if (bytes !== BYTES) {
  console.error(`got ${bytes} bytes`);
  process.exit(1);
}
console.log(BYTES / 2 ** 20 / seconds);
