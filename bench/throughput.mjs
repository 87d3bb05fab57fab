// Stream throughput: 1 GiB of command output received by a client that only
// counts bytes, beside (a) the same command spawned locally and read by one process, (b) a raw TCP
// socket pair on loopback (sender in its own process) and (c) an unframed relay: a server process that
// pipes the command's stdout straight into a TCP socket. (c) moves the bytes through the same three
// processes and four copies as framesh, so framesh/(c) is the cost of framing, channels and flow
// control alone; framesh/(a) also pays for the relay itself.
// Every reader is a fresh process (bench/peers/), as a user's client is: the benchmark process's own
// heap, grown by earlier figures, slowed whatever read in it (local spawn 867 MB/s there, ~1100 fresh).
// Three interleaved rounds; the median of each is shown, every round's value beside it.
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GiB, MiB, fmt, median, report, spread, startServer, withTimeout } from './lib.mjs';

const BYTES = Number(process.env.FRAMESH_BENCH_BYTES ?? GiB);
const COMMAND = ['head', '-c', String(BYTES), '/dev/zero'];
const ROUNDS = 3;
const LIMIT_MS = 60_000;
const PEERS = fileURLToPath(new URL('./peers/', import.meta.url));

/** Runs a reader in a fresh process; it prints MB/s. */
function reader(script, args) {
  const out = execFileSync(process.execPath, [PEERS + script, ...args.map(String)], {
    encoding: 'utf8',
    timeout: LIMIT_MS,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return Number(out.trim());
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

/** Starts `script` in its own process (it prints its port, serves one connection), read by socket-read.mjs. */
async function receiveFrom(script, args, what) {
  const peer = spawn(process.execPath, ['-e', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await withTimeout(
      new Promise((resolve) => peer.stdout.once('data', (d) => resolve(Number(String(d).trim())))),
      10_000,
      what,
    );
    return reader('socket-read.mjs', [port, BYTES, 'tcp']);
  } finally {
    peer.kill();
  }
}

export async function run() {
  console.log(`throughput: ${BYTES / MiB} MiB of \`${COMMAND.join(' ')}\``);
  const server = await startServer();
  try {
    const rounds = { framesh: [], local: [], tcp: [], relay: [] };
    for (let i = 0; i < ROUNDS; i++) {
      rounds.framesh.push(reader('stream-client.mjs', [server.port, BYTES, '--insecure']));
      rounds.local.push(reader('spawn-read.mjs', [BYTES]));
      rounds.tcp.push(await receiveFrom(SENDER, [String(BYTES)], 'raw tcp'));
      rounds.relay.push(await receiveFrom(RELAY, [JSON.stringify(COMMAND)], 'unframed relay'));
    }
    const [mbs, local, tcp, relay] = [rounds.framesh, rounds.local, rounds.tcp, rounds.relay].map(median);
    console.log(
      `  rounds (MB/s): framesh ${spread(rounds.framesh)}; local spawn ${spread(rounds.local)}; raw TCP ${spread(rounds.tcp)}; relay ${spread(rounds.relay)}`,
    );
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
