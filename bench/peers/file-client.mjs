// framesh's side of the file figures (bench/files.mjs) in a fresh process, as the floor's receiver and
// the stream figures' clients run: connects, then times one put of LOCAL to REMOTE or one get of REMOTE
// to LOCAL (connection set-up not timed), and prints MB/s. In its own process, so the figure is
// framesh's, not that of a benchmark process whose heap earlier figures grew.
// Usage: node file-client.mjs PORT (HOME | --insecure) put|get LOCAL REMOTE
import { statSync } from 'node:fs';
import { connect } from '../../dist/index.js';

const [port, homeOrInsecure, direction, local, remote] = process.argv.slice(2);
const client = await connect({
  host: '127.0.0.1',
  port: Number(port),
  ...(homeOrInsecure === '--insecure' ? { insecure: true } : { home: homeOrInsecure }),
});
const started = performance.now();
if (direction === 'put') await client.put(local, remote, { resume: false });
else await client.get(remote, local, { resume: false });
const seconds = (performance.now() - started) / 1000;
await client.close();
// The size of what moved: the source for a put, what arrived for a get.
console.log(statSync(local).size / 2 ** 20 / seconds);
