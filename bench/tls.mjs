// TLS figures (issue "Security"): 1 GiB over TLS beside plaintext framesh, connection set-up
// (connect + TLS + authenticate + `true`) p50, `framesh exec host -- true` as a whole process,
// and, where OpenSSH can be had, the same through ssh against a private sshd on loopback.
// Servers are the real CLI (`framesh serve`) with a private FRAMESH_HOME; the library stream runs in a
// fresh client process (bench/peers/stream-client.mjs). The 1 GiB streams run in ROUNDS interleaved
// rounds, medians compared and every round printed. Also measured, as the floor of any Node server:
// the command's stdout piped into a TLS socket with nothing else (bench/peers/tls-relay.mjs), read by a
// fresh process (bench/peers/socket-read.mjs); and as the floor under the CLI's stream, the same relay read
// by a fresh process that pipes what it reads to its stdout, timed as `… | wc -c` like the CLI.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../dist/index.js';
import { GiB, MiB, fmt, median, percentile, report, spread } from './lib.mjs';
import { CLI, startCliServer, startSshd } from './external-servers.mjs';

const BYTES = Number(process.env.FRAMESH_BENCH_BYTES ?? GiB);
const SETUP_RUNS = 100;
const PROCESS_RUNS = 20;
/** Rounds of the 1 GiB streams, each contender once per round, interleaved; medians compared. */
const ROUNDS = Number(process.env.FRAMESH_BENCH_ROUNDS ?? 3);

/** MB/s of the 1 GiB stream, through the library in a fresh process (bench/peers/stream-client.mjs). */
function stream(port, homeOrInsecure) {
  const out = execFileSync(
    process.execPath,
    [fileURLToPath(new URL('./peers/stream-client.mjs', import.meta.url)), String(port), String(BYTES), homeOrInsecure],
    { encoding: 'utf8', timeout: 180_000, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return Number(out.trim());
}

const PEERS = fileURLToPath(new URL('./peers/', import.meta.url));

/**
 * MB/s of the same stream through the bare TLS relay, read by a fresh process that counts it, or (`toStdout`)
 * pipes it to its stdout, the pipeline timed whole as cliStream times the CLI.
 */
async function tlsRelayFloor(home, toStdout = false) {
  const command = JSON.stringify(['head', '-c', String(BYTES), '/dev/zero']);
  const keys = [path.join(home, 'host_ed25519'), path.join(home, 'host_cert.pem')];
  const relay = spawn(process.execPath, [path.join(PEERS, 'tls-relay.mjs'), ...keys, command], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise((resolve, reject) => {
      relay.stdout.once('data', (d) => resolve(Number(String(d).trim())));
      relay.once('exit', (code) => reject(new Error(`tls-relay exited (${code})`)));
    });
    const reader = [process.execPath, path.join(PEERS, 'socket-read.mjs'), String(port), String(BYTES), 'tls'];
    if (toStdout) return pipedMbps(`${reader.map((a) => `"${a}"`).join(' ')} stdout`, 'bare TLS reader');
    const out = execFileSync(reader[0], reader.slice(1), {
      encoding: 'utf8',
      timeout: 180_000,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return Number(out.trim());
  } finally {
    relay.kill();
  }
}

async function setupTimes(options) {
  const times = [];
  for (let i = 0; i < SETUP_RUNS; i++) {
    const started = performance.now();
    const client = await connect({ host: '127.0.0.1', ...options });
    const r = await client.run('true');
    if (r.code !== 0) throw new Error('true failed');
    times.push(performance.now() - started);
    await client.close();
  }
  return times.sort((a, b) => a - b);
}

function processTimes(file, args, env = process.env) {
  const times = [];
  for (let i = 0; i < PROCESS_RUNS; i++) {
    const started = performance.now();
    execFileSync(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

/** MB/s of a shell pipeline ending in `| wc -c` that must count BYTES (the CLI and ssh as users run them). */
function pipedMbps(pipeline, what, env = process.env) {
  const started = performance.now();
  const out = execFileSync('sh', ['-c', `${pipeline} | wc -c`], { encoding: 'utf8', timeout: 180_000, env });
  if (Number(out.trim()) !== BYTES) throw new Error(`${what} moved ${out.trim()} bytes`);
  return BYTES / MiB / ((performance.now() - started) / 1000);
}

/** The stream through the CLI as a user runs it, `framesh exec HOST -- head -c … | wc -c`. */
function cliStream(port, env) {
  return pipedMbps(
    `"${process.execPath}" "${CLI}" exec 127.0.0.1:${port} -- head -c ${BYTES} /dev/zero`,
    'framesh exec',
    env,
  );
}

function sshStream(base, cipher) {
  const args = base.map((a) => `'${a}'`).join(' ');
  return pipedMbps(`ssh ${args} -c ${cipher} 127.0.0.1 'head -c ${BYTES} /dev/zero'`, 'ssh');
}

export async function run() {
  console.log(
    `tls: ${BYTES / MiB} MiB over TLS vs plaintext; set-up p50 over ${SETUP_RUNS} runs; whole-process exec over ${PROCESS_RUNS} runs`,
  );
  const home = mkdtempSync(path.join(os.tmpdir(), 'framesh-bench-tls-'));
  const secure = await startCliServer(home);
  const plain = await startCliServer(home, ['--insecure']);
  const sshDir = mkdtempSync(path.join(os.tmpdir(), 'framesh-bench-ssh-'));
  let sshd = null;
  try {
    sshd = await startSshd(sshDir);
    const env = { ...process.env, FRAMESH_HOME: home };
    // Every stream once per round, in turn, so a burst of load on this shared machine hits all alike.
    const rounds = { tls: [], clear: [], floor: [], cli: [], cliFloor: [], gcm: [], chacha: [] };
    for (let i = 0; i < ROUNDS; i++) {
      rounds.tls.push(stream(secure.port, home));
      rounds.clear.push(stream(plain.port, '--insecure'));
      rounds.floor.push(await tlsRelayFloor(home));
      rounds.cli.push(cliStream(secure.port, env));
      rounds.cliFloor.push(await tlsRelayFloor(home, true));
      if (sshd) {
        rounds.gcm.push(sshStream(sshd.base, 'aes128-gcm@openssh.com'));
        rounds.chacha.push(sshStream(sshd.base, 'chacha20-poly1305@openssh.com'));
      }
    }
    console.log(
      `  rounds (MB/s): framesh TLS ${spread(rounds.tls)}; plaintext ${spread(rounds.clear)}; relay floor ${spread(rounds.floor)}; CLI ${spread(rounds.cli)}; CLI floor ${spread(rounds.cliFloor)}` +
        (sshd ? `; ssh aes128-gcm ${spread(rounds.gcm)}; chacha20 ${spread(rounds.chacha)}` : ''),
    );
    const [tls, clear, floor, cli, cliFloor] = [
      rounds.tls,
      rounds.clear,
      rounds.floor,
      rounds.cli,
      rounds.cliFloor,
    ].map(median);
    const setup = await setupTimes({ port: secure.port, home });
    const cliTrue = processTimes(process.execPath, [CLI, 'exec', `127.0.0.1:${secure.port}`, '--', 'true'], env);
    const rows = [
      {
        name: 'framesh over TLS, 1 GiB stream',
        value: `${fmt(tls, 0)} MB/s`,
        baseline: `plaintext framesh ${fmt(clear, 0)} MB/s`,
        ratio: fmt(tls / clear, 2),
      },
      {
        name: 'floor: bare Node TLS relay (stdout piped into a TLS socket, nothing else)',
        value: `${fmt(floor, 0)} MB/s`,
        baseline: `framesh ${fmt(tls, 0)} MB/s`,
        ratio: fmt(tls / floor, 2),
      },
      {
        name: 'floor of the CLI: the bare relay read by `node` piping it to stdout, `… | wc -c` (start-up included)',
        value: `${fmt(cliFloor, 0)} MB/s`,
        baseline: `\`framesh exec … | wc -c\` ${fmt(cli, 0)} MB/s`,
        ratio: fmt(cli / cliFloor, 2),
      },
      {
        name: 'connect + TLS + auth + `true`, p50',
        value: `${fmt(percentile(setup, 50), 2)} ms`,
        baseline: `p99 ${fmt(percentile(setup, 99), 2)} ms`,
        target: '< 20 ms',
        met: percentile(setup, 50) < 20,
      },
    ];
    if (sshd) {
      const sshTrue = processTimes('ssh', [...sshd.base, '127.0.0.1', 'true']);
      const [gcm, chacha] = [rounds.gcm, rounds.chacha].map(median);
      const best = Math.max(gcm, chacha);
      const againstSsh = (name, mbps) => ({
        name,
        value: `${fmt(mbps, 0)} MB/s`,
        baseline: `ssh aes128-gcm ${fmt(gcm, 0)} MB/s, chacha20 ${fmt(chacha, 0)} MB/s`,
        ratio: fmt(mbps / best, 2),
        target: '>= 1.2',
        met: mbps / best >= 1.2,
      });
      rows.push(
        againstSsh('framesh over TLS vs best OpenSSH cipher', tls),
        againstSsh('through the CLI: `framesh exec … | wc -c` vs `ssh … | wc -c`', cli),
        {
          ...againstSsh('floor: the bare Node TLS relay vs best OpenSSH cipher', floor),
          target: undefined,
          met: undefined,
        },
        {
          ...againstSsh('floor of the CLI: the bare relay piped to stdout vs `ssh … | wc -c`', cliFloor),
          target: undefined,
          met: undefined,
        },
        {
          name: '`framesh exec host -- true` process, p50',
          value: `${fmt(percentile(cliTrue, 50), 1)} ms`,
          baseline: `\`ssh host true\` ${fmt(percentile(sshTrue, 50), 1)} ms`,
          ratio: fmt(percentile(cliTrue, 50) / percentile(sshTrue, 50), 2),
          target: '<= 0.5',
          met: percentile(cliTrue, 50) <= 0.5 * percentile(sshTrue, 50),
        },
      );
    } else {
      rows.push({
        name: '`framesh exec host -- true` process, p50',
        value: `${fmt(percentile(cliTrue, 50), 1)} ms`,
        baseline: 'OpenSSH not available: no ssh comparison',
      });
    }
    report(rows);
    return { tls, clear, floor, cli, cliFloor, setupP50: percentile(setup, 50) };
  } finally {
    sshd?.stop();
    await secure.stop();
    await plain.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(sshDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
