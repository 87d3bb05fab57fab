// CLI start-up, as a user feels it: `framesh --help` as a whole process beside `node -e 0` (what Node
// itself costs), and `framesh exec host -- true` (TLS, key authentication) beside `ssh host true`
// against a private sshd on loopback, each the median of RUNS runs in sequence.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, startCliServer, startSshd } from './external-servers.mjs';
import { fmt, percentile, report } from './lib.mjs';

// FRAMESH_BENCH_CLI_RUNS=3 for a quick look on a busy machine.
const RUNS = Number(process.env.FRAMESH_BENCH_CLI_RUNS ?? 15);

/** Median wall time in ms of running `argv` to completion RUNS times (after one warm-up run). */
function medianMs(argv, env = process.env) {
  const run = () => {
    const started = performance.now();
    const result = spawnSync(argv[0], argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
    if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr}`);
    return performance.now() - started;
  };
  run();
  const times = Array.from({ length: RUNS }, run).sort((a, b) => a - b);
  return percentile(times, 50);
}

export async function run() {
  console.log(`cli-startup: median of ${RUNS} whole-process runs each`);
  const nodeOnly = medianMs([process.execPath, '-e', '0']);
  const help = medianMs([process.execPath, CLI, '--help']);
  report([
    {
      name: 'framesh --help',
      value: `${fmt(help)} ms`,
      baseline: `node -e 0 ${fmt(nodeOnly)} ms`,
      ratio: `${fmt(help / nodeOnly, 2)}x (+${fmt(help - nodeOnly)} ms)`,
    },
  ]);

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
    const exec = medianMs([process.execPath, CLI, 'exec', `127.0.0.1:${server.port}`, '--', 'true'], env);
    if (sshd) {
      const ssh = medianMs(['ssh', ...sshd.base, '127.0.0.1', 'true']);
      report([
        {
          name: 'framesh exec host -- true',
          value: `${fmt(exec)} ms`,
          baseline: `ssh host true ${fmt(ssh)} ms`,
          ratio: `${fmt(exec / ssh, 2)}x`,
        },
      ]);
    } else {
      report([
        {
          name: 'framesh exec host -- true',
          value: `${fmt(exec)} ms`,
          baseline: 'ssh: OpenSSH not installed, no baseline',
        },
      ]);
    }
  } finally {
    sshd?.stop();
    await server.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(sshDir, { recursive: true, force: true });
  }
}
