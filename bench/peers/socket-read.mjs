// The reading end of the bare baselines: the TLS floor (bench/tls.mjs, against tls-relay.mjs) and the raw
// TCP and unframed-relay rows (bench/throughput.mjs). Connects in a fresh process, as stream-client.mjs
// reads framesh, counts BYTES until the sender ends and prints MB/s. With `stdout` it is instead the floor
// under the CLI's stream (`framesh exec … | wc -c`): what it reads goes to its stdout, `socket.pipe(process.stdout)`
// as a bare Node client would write it, and the caller times the whole pipeline.
// Usage: node socket-read.mjs PORT BYTES tls|tcp [stdout]
import net from 'node:net';
import tls from 'node:tls';

const [port, bytesText, kind, sink] = process.argv.slice(2);
const BYTES = Number(bytesText);
const address = { host: '127.0.0.1', port: Number(port) };
const socket = kind === 'tls' ? tls.connect({ ...address, rejectUnauthorized: false }) : net.connect(address);
socket.setNoDelay(true);
const ready = kind === 'tls' ? 'secureConnect' : 'connect';
await new Promise((resolve, reject) => socket.once(ready, resolve).once('error', reject));
if (sink === 'stdout') {
  // No process.exit here: it would drop a tail still queued for a pipe that `wc` has not drained. The
  // process ends by itself once the socket has ended and stdout has taken every byte.
  socket.pipe(process.stdout);
  socket.once('error', (err) => {
    console.error(err.message);
    process.exitCode = 1;
  });
} else {
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
}
