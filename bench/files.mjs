// File transfer figures (issue "File transfer"): 1 GiB put and get over plaintext and TLS framesh,
// beside a raw TCP socket pair moving the same file on loopback, and, where OpenSSH can be had,
// scp, scp -O and sftp against a private sshd. Prints MB/s, ratios and the server's peak RSS. Also the
// floor of a Node get over TLS with SHA-256 on both ends and nothing else (bench/peers/tls-file-send.mjs
// and tls-file-receive.mjs, each in its own process), and the floor of a put: the same with the receiver
// reading its file back and hashing it, as framesh's server does before the rename. framesh's client
// runs in a fresh process (bench/peers/file-client.mjs), as the floors' ends do; the TLS figures run in
// ROUNDS interleaved rounds (framesh, the floors, scp, scp -O and sftp each once per round), medians
// compared and every round printed.
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statfsSync,
  statSync,
  writeSync,
} from 'node:fs';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GiB, MiB, fmt, median, memoryOf, report, spread, withTimeout } from './lib.mjs';
import { startCliServer, startSshd } from './external-servers.mjs';

const BYTES = Number(process.env.FRAMESH_BENCH_BYTES ?? GiB);
const LIMIT_MS = 180_000;
/** Rounds of the TLS figures, each contender once per round, interleaved; medians compared. */
const ROUNDS = Number(process.env.FRAMESH_BENCH_ROUNDS ?? 3);

/**
 * Where the files live: FRAMESH_BENCH_DIR, else /dev/shm when it has room, so the figures measure the
 * transfer and not the disk (framesh fsyncs a put before its rename, scp and sftp do not; on a disk that
 * alone can decide the ratio). Every output is removed after its measurement, so 3x the size suffices.
 */
function benchParent() {
  if (process.env.FRAMESH_BENCH_DIR) return process.env.FRAMESH_BENCH_DIR;
  const shm = '/dev/shm';
  if (existsSync(shm)) {
    const { bavail, bsize } = statfsSync(shm);
    if (bavail * bsize > 4 * BYTES) return shm;
  }
  return os.tmpdir();
}

/** Deletes a measured output so the next one has room (tmpfs holds them in memory). */
function discard(file) {
  rmSync(file, { force: true });
}

/**
 * Writes BYTES into a scratch file beside the outputs and deletes it, right before a timed transfer, so
 * that every contender writes its output into memory the guest has just used. On a virtual machine
 * with free page reporting (virtio-balloon here), pages freed for more than ~2 s are handed back to the
 * host, and writing a file into them costs the writer 2-4 x the kernel time (1 GiB into /dev/shm: ~0.7 s
 * of system time into just-freed pages, 1.3-2.9 s into reported ones). Without this, a contender that
 * runs right after another's output was deleted gets warm pages and one that follows a put gets cold
 * ones, which decided the get ratios more than the code did.
 */
function warmFreePages(dir) {
  const scratch = path.join(dir, 'warm.scratch');
  const block = Buffer.alloc(MiB, 1);
  const fd = openSync(scratch, 'w');
  try {
    for (let left = BYTES; left > 0; left -= block.length) writeSync(fd, block, 0, Math.min(left, block.length));
  } finally {
    closeSync(fd);
    rmSync(scratch, { force: true });
  }
}

async function makeFile(file) {
  const block = randomBytes(MiB);
  const out = createWriteStream(file);
  for (let left = BYTES; left > 0; left -= block.length) {
    if (!out.write(left >= block.length ? block : block.subarray(0, left))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const mbs = (started) => BYTES / MiB / ((performance.now() - started) / 1000);

/**
 * The baselines: another process sends over one loopback TCP connection, either the file read from disk
 * into a file written here (`dest`), or 1 GiB of memory counted here (`dest` null: the "raw
 * TCP socket pair moving 1 GiB"). Timed from the connection to the last byte written or counted.
 */
async function rawTcp(source, dest) {
  if (dest) warmFreePages(path.dirname(dest));
  let started = 0;
  const receiver = net.createServer((socket) => {
    started = performance.now();
    if (dest) {
      socket.pipe(createWriteStream(dest, { highWaterMark: MiB })).once('finish', () => receiver.emit('done'));
    } else {
      let bytes = 0;
      socket.on('data', (chunk) => (bytes += chunk.length)).once('end', () => receiver.emit('done', bytes));
    }
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const port = receiver.address().port;
  const send = dest
    ? `require('fs').createReadStream(${JSON.stringify(source)},{highWaterMark:262144}).pipe(s)`
    : `const b=Buffer.alloc(262144);let left=${BYTES};const pump=()=>{while(left>0){left-=b.length;if(!s.write(b))return s.once('drain',pump)}s.end()};pump()`;
  const sender = spawn(process.execPath, ['-e', `const s=require('net').connect(${port},'127.0.0.1',()=>{${send}})`], {
    stdio: 'inherit',
  });
  const [bytes] = await withTimeout(once(receiver, 'done'), LIMIT_MS, 'raw tcp');
  const result = mbs(started);
  sender.kill();
  receiver.close();
  if ((dest ? statSync(dest).size : bytes) !== BYTES) throw new Error('raw tcp moved the wrong size');
  if (dest) discard(dest);
  return result;
}

const PEERS = fileURLToPath(new URL('./peers/', import.meta.url));

/**
 * MB/s of the floor: a bare Node TLS sender and receiver, SHA-256 and file I/O on both ends; with
 * `readback` the receiver also reads its file back and hashes it, as framesh's server does for a put.
 */
async function tlsFileFloor(home, source, out, readback = false) {
  warmFreePages(path.dirname(out));
  const keys = [path.join(home, 'host_ed25519'), path.join(home, 'host_cert.pem')];
  const sender = spawn(process.execPath, [path.join(PEERS, 'tls-file-send.mjs'), ...keys, source], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await withTimeout(
      new Promise((resolve, reject) => {
        sender.stdout.once('data', (d) => resolve(Number(String(d).trim())));
        sender.once('exit', (code) => reject(new Error(`tls-file-send exited (${code})`)));
      }),
      10_000,
      'tls-file-send',
    );
    const args = [path.join(PEERS, 'tls-file-receive.mjs'), String(port), out, String(BYTES)];
    if (readback) args.push('readback');
    const mbps = Number(execFileSync(process.execPath, args, { encoding: 'utf8', timeout: LIMIT_MS }).trim());
    discard(out);
    return mbps;
  } finally {
    sender.kill();
  }
}

/** MB/s of one framesh put or get through the library in a fresh process (bench/peers/file-client.mjs). */
function frameshCopy(port, homeOrInsecure, direction, local, remotePath) {
  warmFreePages(path.dirname(local));
  const args = [path.join(PEERS, 'file-client.mjs'), String(port), homeOrInsecure, direction, local, remotePath];
  const out = execFileSync(process.execPath, args, {
    encoding: 'utf8',
    timeout: LIMIT_MS,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return Number(out.trim());
}

/** A put of `source` to `remoteName`, then a get of it back into `localBack`; both outputs removed after. */
function framesh(port, homeOrInsecure, source, remoteName, localBack) {
  const put = frameshCopy(port, homeOrInsecure, 'put', source, remoteName.path);
  const get = frameshCopy(port, homeOrInsecure, 'get', localBack, remoteName.path);
  if (statSync(localBack).size !== BYTES) throw new Error('framesh get moved the wrong size');
  discard(remoteName.local);
  discard(localBack);
  return { put, get };
}

/** Runs an OpenSSH copy to `output` and removes what it wrote. */
function timed(file, args, output) {
  warmFreePages(path.dirname(output));
  const started = performance.now();
  execFileSync(file, args, { stdio: ['ignore', 'ignore', 'inherit'], timeout: LIMIT_MS });
  const result = mbs(started);
  if (statSync(output).size !== BYTES) throw new Error(`${file} moved the wrong size`);
  discard(output);
  return result;
}

/** The OpenSSH copies of `source`, up (to `out` on the server) and down, each a function timing one run. */
function sshCopies(sshd, source, out) {
  const opts = sshd.base.map((a) => (a === '-p' ? '-P' : a));
  const sftpArgs = opts.map((a) => `'${a}'`).join(' ');
  const sftp = (command) => () => timed('sh', ['-c', `echo '${command}' | sftp ${sftpArgs} -q -b - 127.0.0.1`], out);
  return {
    up: {
      scp: () => timed('scp', [...opts, '-q', source, `127.0.0.1:${out}`], out),
      'scp -O': () => timed('scp', ['-O', ...opts, '-q', source, `127.0.0.1:${out}`], out),
      sftp: sftp(`put ${source} ${out}`),
    },
    down: {
      scp: () => timed('scp', [...opts, '-q', `127.0.0.1:${source}`, out], out),
      'scp -O': () => timed('scp', ['-O', ...opts, '-q', `127.0.0.1:${source}`, out], out),
      sftp: sftp(`get ${source} ${out}`),
    },
  };
}

export async function run() {
  const parent = benchParent();
  console.log(`files: ${BYTES / MiB} MiB put and get, files in ${parent}`);
  const dir = mkdtempSync(path.join(parent, 'framesh-bench-files-'));
  const root = path.join(dir, 'root');
  mkdirSync(root);
  const source = path.join(dir, 'source.bin');
  await makeFile(source);
  const home = path.join(dir, 'home');
  const plain = await startCliServer(home, ['--insecure', '--root', root]);
  const secure = await startCliServer(home, ['--root', root]);
  let sshd = null;
  try {
    const tcp = await rawTcp(source, null);
    const tcpFiles = await rawTcp(source, path.join(dir, 'tcp.out'));
    const remote = (name) => ({ path: name, local: path.join(root, name) });
    const clear = framesh(plain.port, '--insecure', source, remote('plain.bin'), path.join(dir, 'plain.back'));
    const plainPeak = memoryOf(plain.pid).peakMb;
    sshd = await startSshd(path.join(dir, 'ssh-state'));
    const openssh = sshd ? sshCopies(sshd, source, path.join(dir, 'ssh.out')) : null;
    // Every TLS contender once per round, in turn, so a burst of load on this shared machine hits all alike.
    const rounds = { put: [], get: [], floor: [], putFloor: [], up: {}, down: {} };
    for (let i = 0; i < ROUNDS; i++) {
      const tlsRound = framesh(secure.port, home, source, remote('tls.bin'), path.join(dir, 'tls.back'));
      rounds.put.push(tlsRound.put);
      rounds.get.push(tlsRound.get);
      rounds.floor.push(await tlsFileFloor(home, source, path.join(dir, 'floor.out')));
      rounds.putFloor.push(await tlsFileFloor(home, source, path.join(dir, 'floor.out'), true));
      for (const [direction, copies] of Object.entries(openssh ?? {})) {
        for (const [name, copy] of Object.entries(copies)) (rounds[direction][name] ??= []).push(copy());
      }
    }
    const sshRounds = (direction) =>
      Object.entries(rounds[direction])
        .map(([name, values]) => `; ${name} ${direction} ${spread(values)}`)
        .join('');
    console.log(
      `  TLS rounds (MB/s): framesh put ${spread(rounds.put)}, get ${spread(rounds.get)}; floor get ${spread(rounds.floor)}, put ${spread(rounds.putFloor)}` +
        sshRounds('up') +
        sshRounds('down'),
    );
    const tls = { put: median(rounds.put), get: median(rounds.get) };
    const [floor, putFloor] = [median(rounds.floor), median(rounds.putFloor)];
    const tlsPeak = memoryOf(secure.pid).peakMb;
    const rows = [
      {
        name: 'put, plaintext',
        value: `${fmt(clear.put, 0)} MB/s`,
        baseline: `raw TCP ${fmt(tcp, 0)} MB/s (memory to memory)`,
        ratio: fmt(clear.put / tcp, 2),
        target: '>= 0.70',
        met: clear.put / tcp >= 0.7,
      },
      {
        name: 'get, plaintext',
        value: `${fmt(clear.get, 0)} MB/s`,
        baseline: `raw TCP ${fmt(tcp, 0)} MB/s (memory to memory)`,
        ratio: fmt(clear.get / tcp, 2),
        target: '>= 0.70',
        met: clear.get / tcp >= 0.7,
      },
      {
        name: 'put, plaintext vs raw TCP file to file',
        value: `${fmt(clear.put, 0)} MB/s`,
        baseline: `raw TCP reading and writing the files ${fmt(tcpFiles, 0)} MB/s`,
        ratio: fmt(clear.put / tcpFiles, 2),
      },
      {
        name: 'get, plaintext vs raw TCP file to file',
        value: `${fmt(clear.get, 0)} MB/s`,
        baseline: `raw TCP reading and writing the files ${fmt(tcpFiles, 0)} MB/s`,
        ratio: fmt(clear.get / tcpFiles, 2),
      },
      {
        name: 'server peak RSS (plaintext put+get)',
        value: `${fmt(plainPeak, 0)} MB`,
        target: '< 150 MB',
        met: plainPeak < 150,
      },
      { name: 'server peak RSS (TLS put+get)', value: `${fmt(tlsPeak, 0)} MB`, target: '< 150 MB', met: tlsPeak < 150 },
    ];
    if (openssh) {
      const medians = (direction) =>
        Object.fromEntries(Object.entries(rounds[direction]).map(([name, values]) => [name, median(values)]));
      const [up, down] = [medians('up'), medians('down')];
      const best = (m) => Math.max(...Object.values(m));
      const list = (m) =>
        Object.entries(m)
          .map(([k, v]) => `${k} ${fmt(v, 0)}`)
          .join(', ');
      rows.push(
        {
          name: 'put over TLS vs OpenSSH',
          value: `${fmt(tls.put, 0)} MB/s`,
          baseline: `${list(up)} MB/s`,
          ratio: fmt(tls.put / best(up), 2),
          target: '>= 1.2 of the best (aim 1.5)',
          met: tls.put / best(up) >= 1.2,
        },
        {
          name: 'get over TLS vs OpenSSH',
          value: `${fmt(tls.get, 0)} MB/s`,
          baseline: `${list(down)} MB/s`,
          ratio: fmt(tls.get / best(down), 2),
          target: '>= 1.2 of the best (aim 1.5)',
          met: tls.get / best(down) >= 1.2,
        },
        {
          name: 'floor: a bare Node get over TLS (SHA-256 and file I/O on both ends, nothing else) vs OpenSSH',
          value: `${fmt(floor, 0)} MB/s`,
          baseline: `best ${fmt(best(down), 0)} MB/s; framesh get ${fmt(tls.get, 0)} MB/s`,
          ratio: `${fmt(floor / best(down), 2)} of the best; framesh ${fmt(tls.get / floor, 2)} of the floor`,
        },
        {
          name: 'floor of a put: the same, the receiver reading its file back and hashing it as framesh does, vs OpenSSH',
          value: `${fmt(putFloor, 0)} MB/s`,
          baseline: `best ${fmt(best(up), 0)} MB/s; framesh put ${fmt(tls.put, 0)} MB/s`,
          ratio: `${fmt(putFloor / best(up), 2)} of the best; framesh ${fmt(tls.put / putFloor, 2)} of the floor`,
        },
      );
    } else {
      rows.push({
        name: 'put/get over TLS',
        value: `${fmt(tls.put, 0)} / ${fmt(tls.get, 0)} MB/s`,
        baseline: 'OpenSSH not available: no scp/sftp comparison',
      });
      rows.push({
        name: 'floor: a bare Node get over TLS (SHA-256 and file I/O on both ends, nothing else)',
        value: `${fmt(floor, 0)} MB/s`,
        baseline: `framesh get ${fmt(tls.get, 0)} MB/s`,
        ratio: fmt(tls.get / floor, 2),
      });
      rows.push({
        name: 'floor of a put (the receiver reads its file back and hashes it, as framesh does)',
        value: `${fmt(putFloor, 0)} MB/s`,
        baseline: `framesh put ${fmt(tls.put, 0)} MB/s`,
        ratio: fmt(tls.put / putFloor, 2),
      });
    }
    report(rows);
    return { tcp, tcpFiles, clear, tls, floor, putFloor };
  } finally {
    sshd?.stop();
    await plain.stop();
    await secure.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
