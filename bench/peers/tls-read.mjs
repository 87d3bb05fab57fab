// The reading end of the TLS floor (bench/tls.mjs): connects to bench/peers/tls-relay.mjs in a fresh
// process, as stream-client.mjs reads framesh, counts BYTES and prints MB/s.
// Usage: node tls-read.mjs PORT BYTES
import tls from 'node:tls';

const [port, bytesText] = process.argv.slice(2);
const BYTES = Number(bytesText);
const socket = tls.connect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: false });
socket.setNoDelay(true);
await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
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
