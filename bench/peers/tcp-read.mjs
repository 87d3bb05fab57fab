// The reading end of the raw TCP and unframed-relay rows (bench/throughput.mjs): connects in a fresh
// process, counts BYTES until the sender ends, prints MB/s.
// Usage: node tcp-read.mjs PORT BYTES
import net from 'node:net';

const [port, bytesText] = process.argv.slice(2);
const BYTES = Number(bytesText);
const socket = net.connect({ host: '127.0.0.1', port: Number(port), noDelay: true });
await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
const started = performance.now();
let bytes = 0;
socket.on('data', (c) => (bytes += c.length));
await new Promise((resolve, reject) => socket.once('end', resolve).once('error', reject));
const seconds = (performance.now() - started) / 1000;
socket.destroy();
if (bytes !== BYTES) {
  console.error(`got ${bytes} bytes`);
  process.exit(1);
}
console.log(BYTES / 2 ** 20 / seconds);
