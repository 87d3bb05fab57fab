// Stream throughput: 1 GiB of command output received by a client that only
// counts bytes, beside (a) the same command spawned locally and read by this
// process, (b) a raw TCP socket pair on loopback (sender in its own process) and
// (c) an unframed relay: a server process that pipes the command's stdout
// straight into a TCP socket. (c) moves the bytes through the same three
// processes and four copies as framesh, so framesh/(c) is the cost of framing,
// channels and flow control alone; framesh/(a) also pays for the relay itself.
import { spawn } from 'node:child_process';
import { connect } from '../dist/index.js';
import { GiB, MiB, fmt, report, startServer, withTimeout } from './lib.mjs';

const BYTES = Number(process.env.FRAMESH_BENCH_BYTES ?? GiB);
const COMMAND = ['head', '-c', String(BYTES), '/dev/zero'];
const LIMIT_MS = 60_000;

async function localSpawn() {
  const started = performance.now();
  const child = spawn(COMMAND[0], COMMAND.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  let bytes = 0;
  child.stdout.on('data', (chunk) => (bytes += chunk.length));
  await withTimeout(new Promise((resolve) => child.once('close', resolve)), LIMIT_MS, 'local spawn');
  return check(bytes, started);
}

const SENDER = `
const net = require('node:net');
const total = Number(process.argv[1]);
const chunk = Buffer.alloc(64 * 1024);
const server = net.createServer({ noDelay: true }, (socket) => {
  let left = total;
  const pump = () => {
    while (left > 0) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!socket.write(piece)) return socket.once('drain', pump);
    }
    socket.end(() => { server.close(); });
  };
  pump();
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

/** Starts `script` in its own process (it prints its port), then counts what one connection to it receives. */
async function receiveFrom(script, args, what) {
  const net = await import('node:net');
  const peer = spawn(process.execPath, ['-e', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await withTimeout(
    new Promise((resolve) => peer.stdout.once('data', (d) => resolve(Number(String(d).trim())))),
    10_000,
    what,
  );
  const started = performance.now();
  let bytes = 0;
  const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
  socket.on('data', (chunk) => (bytes += chunk.length));
  await withTimeout(
    new Promise((resolve, reject) => {
      socket.once('end', resolve);
      socket.once('error', reject);
    }),
    LIMIT_MS,
    what,
  );
  const result = check(bytes, started);
  socket.destroy();
  peer.kill();
  return result;
}

const rawTcp = () => receiveFrom(SENDER, [String(BYTES)], 'raw tcp');

const RELAY = `
const net = require('node:net');
const { spawn } = require('node:child_process');
const command = JSON.parse(process.argv[1]);
const server = net.createServer({ noDelay: true }, (socket) => {
  const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.pipe(socket);
  socket.on('close', () => server.close());
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

const unframedRelay = () => receiveFrom(RELAY, [JSON.stringify(COMMAND)], 'unframed relay');

async function framesh(port) {
  const client = await connect({ host: '127.0.0.1', port, insecure: true });
  try {
    const started = performance.now();
    const call = client.exec(COMMAND);
    call.stdin.end();
    let bytes = 0;
    call.stdout.on('data', (chunk) => (bytes += chunk.length));
    call.stderr.resume();
    const ended = new Promise((resolve) => call.stdout.once('end', resolve));
    const [exit] = await withTimeout(Promise.all([call.exit, ended]), LIMIT_MS, 'framesh stream');
    if (exit.code !== 0) throw new Error(`command failed: ${JSON.stringify(exit)}`);
    return check(bytes, started);
  } finally {
    await client.close();
  }
}

function check(bytes, started) {
  if (bytes !== BYTES) throw new Error(`received ${bytes} bytes, expected ${BYTES}`);
  const seconds = (performance.now() - started) / 1000;
  return BYTES / MiB / seconds;
}

export async function run() {
  console.log(`throughput: ${BYTES / MiB} MiB of \`${COMMAND.join(' ')}\``);
  const server = await startServer();
  try {
    const mbs = await framesh(server.port);
    const local = await localSpawn();
    const tcp = await rawTcp();
    const relay = await unframedRelay();
    report([
      {
        name: 'framesh exec stream',
        value: `${fmt(mbs, 0)} MB/s`,
        baseline: `local spawn ${fmt(local, 0)} MB/s`,
        ratio: fmt(mbs / local, 2),
        target: '>= 0.70 of local spawn',
        met: mbs / local >= 0.7,
      },
      {
        name: 'framesh vs raw TCP',
        value: `${fmt(mbs, 0)} MB/s`,
        baseline: `raw TCP ${fmt(tcp, 0)} MB/s`,
        ratio: fmt(mbs / tcp, 2),
      },
      {
        name: 'framesh vs unframed relay',
        value: `${fmt(mbs, 0)} MB/s`,
        baseline: `pipe-to-socket relay ${fmt(relay, 0)} MB/s`,
        ratio: fmt(mbs / relay, 2),
      },
    ]);
    return { framesh: mbs, local, tcp, relay };
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
