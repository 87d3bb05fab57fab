// CLI start-up, as a user feels it: `framesh --help` as a whole process beside `node -e 0` (what Node
// itself costs), and `framesh exec host -- true` (TLS, key authentication) beside `ssh host true`
// against a private sshd on loopback. The four commands run round by round (one of each per round,
// RUNS rounds after a warm-up), so a burst of load on this shared machine hits every one alike;
// each figure is the median of its runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, startCliServer, startSshd } from './external-servers.mjs';
import { fmt, percentile, report } from './lib.mjs';

// FRAMESH_BENCH_CLI_RUNS=3 for a quick look on a busy machine.
const RUNS = Number(process.env.FRAMESH_BENCH_CLI_RUNS ?? 15);

/** Wall time in ms of running `argv` to completion. */
function timeMs(argv, env = process.env) {
  const started = performance.now();
  const result = spawnSync(argv[0], argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr}`);
  return performance.now() - started;
}

/** Runs every command once per round, RUNS rounds after one warm-up round; the median of each. */
function interleavedMedians(commands) {
  const times = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  for (let round = 0; round <= RUNS; round++) {
    for (const [name, { argv, env }] of Object.entries(commands)) {
      const ms = timeMs(argv, env);
      if (round > 0) times[name].push(ms);
    }
  }
  return Object.fromEntries(
    Object.entries(times).map(([name, list]) => [
      name,
      percentile(
        list.sort((a, b) => a - b),
        50,
      ),
    ]),
  );
}

export async function run() {
  console.log(`cli-startup: median of ${RUNS} whole-process runs each, the commands interleaved round by round`);
  const home = mkdtempSync(path.join(os.tmpdir(), 'framesh-bench-cli-'));
  const sshDir = mkdtempSync(path.join(os.tmpdir(), 'framesh-bench-cli-ssh-'));
  const server = await startCliServer(home);
  const sshd = await startSshd(sshDir);
  try {
    const env = { ...process.env, FRAMESH_HOME: home };
    // The first connection from this home to this server: make sure it is trusted before timing.
    execFileSync(process.execPath, [CLI, 'exec', '--accept-new', `127.0.0.1:${server.port}`, '--', 'true'], {
      env,
      stdio: 'ignore',
      timeout: 60_000,
    });
    const m = interleavedMedians({
      node: { argv: [process.execPath, '-e', '0'] },
      help: { argv: [process.execPath, CLI, '--help'] },
      exec: { argv: [process.execPath, CLI, 'exec', `127.0.0.1:${server.port}`, '--', 'true'], env },
      ...(sshd && { ssh: { argv: ['ssh', ...sshd.base, '127.0.0.1', 'true'] } }),
    });
    report([
      {
        name: 'framesh --help',
        value: `${fmt(m.help)} ms`,
        baseline: `node -e 0 ${fmt(m.node)} ms`,
        ratio: `${fmt(m.help / m.node, 2)}x (+${fmt(m.help - m.node)} ms)`,
        target: '<= 2x',
        met: m.help <= 2 * m.node,
      },
      m.ssh === undefined
        ? { name: 'framesh exec host -- true', value: `${fmt(m.exec)} ms`, baseline: 'ssh: OpenSSH not installed' }
        : {
            name: 'framesh exec host -- true',
            value: `${fmt(m.exec)} ms`,
            baseline: `ssh host true ${fmt(m.ssh)} ms`,
            ratio: `${fmt(m.exec / m.ssh, 2)}x`,
            target: '<= 0.5x',
            met: m.exec <= 0.5 * m.ssh,
          },
    ]);
    return m;
  } finally {
    sshd?.stop();
    await server.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(sshDir, { recursive: true, force: true });
  }
}
