// Fan-out (issue "Many hosts at once"): 100 hosts x `uname -a` from one client, framesh's CLI against
// parallel-ssh (Debian's pssh) over OpenSSH, both at parallelism 32, in the same run; then 1000 hosts x
// `true` from one framesh process: failures, wall time and the client's peak RSS. Every "host" is a name
// for one loopback server (a framesh serve, a private sshd), so both tools pay their full per-host cost:
// a TCP connect, a handshake, authentication and one command each.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, startCliServer, startSshd } from './external-servers.mjs';

const PARALLEL = 32;

function timed(cmd, args, env) {
  return new Promise((resolve) => {
    const began = performance.now();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let peak = 0;
    const sample = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      } catch {
        // gone
      }
    }, 50);
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => {
      clearInterval(sample);
      resolve({ code, ms: performance.now() - began, out, err, peak });
    });
  });
}

function serveSupports(flag) {
  return execFileSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' }).includes(flag);
}

export async function run() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'framesh-bench-fanout-'));
  const home = path.join(dir, 'home');
  // Many connections from one address at once is what this measures, not what the limits guard against.
  // The auth throttle counts an attempt as failed from its arrival until it succeeds, so with every "host"
  // on one server, each handshake in flight delays the next from the same address (doubling, up to 5 s):
  // 100 hosts took 16.6 s with it on (docs/BENCHMARKS.md). A real fleet has one connection per server,
  // where no delay arises, so the throttle is off here, as the startup limits are raised.
  const limits = [
    '--max-startups',
    '2000',
    ...(serveSupports('--per-source-max-startups') ? ['--per-source-max-startups', '2000'] : []),
    ...(serveSupports('--auth-failure-delay') ? ['--auth-failure-delay', '0'] : []),
  ];
  const server = await startCliServer(home, limits);
  const sshd = await startSshd(path.join(dir, 'sshd'));
  try {
    const inventory = (n) => {
      const file = path.join(dir, `hosts-${n}.ini`);
      writeFileSync(
        file,
        Array.from({ length: n }, (_, i) => `h${i} ansible_host=127.0.0.1 ansible_port=${server.port}`).join('\n') +
          '\n',
      );
      return file;
    };
    const env = { FRAMESH_HOME: home };
    const fr = await timed(
      process.execPath,
      [
        CLI,
        'exec',
        '-n',
        '--summary-only',
        '--parallel',
        String(PARALLEL),
        '--hosts',
        inventory(100),
        '--',
        'uname',
        '-a',
      ],
      env,
    );
    const frOk = (fr.out.match(/^h\d+\s+0\s/gm) ?? []).length;
    console.log(
      `  framesh exec --hosts (100 x uname -a, parallel ${PARALLEL}): ${fr.ms.toFixed(0)} ms, ${frOk}/100 ok, client peak ${(fr.peak / 2 ** 20).toFixed(0)} MB`,
    );
    let psshMs = null;
    const pssh = ['parallel-ssh', 'pssh'].find((p) => {
      try {
        execFileSync('sh', ['-c', `command -v ${p}`], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    });
    if (sshd && pssh) {
      const port = sshd.base[sshd.base.indexOf('-p') + 1];
      const hostsFile = path.join(dir, 'pssh-hosts');
      writeFileSync(hostsFile, Array.from({ length: 100 }, () => `127.0.0.1:${port}`).join('\n') + '\n');
      const extra = sshd.base.filter((_, i, a) => a[i] !== '-p' && a[i - 1] !== '-p');
      const ps = await timed(
        pssh,
        ['-h', hostsFile, '-p', String(PARALLEL), '-t', '60', '-x', extra.join(' '), 'uname', '-a'],
        {},
      );
      const psOk = (ps.out.match(/\[SUCCESS\]/g) ?? []).length;
      psshMs = ps.ms;
      console.log(`  ${pssh} over OpenSSH (100 x uname -a, -p ${PARALLEL}): ${ps.ms.toFixed(0)} ms, ${psOk}/100 ok`);
      console.log(`  ratio framesh/pssh wall time: ${(fr.ms / psshMs).toFixed(2)} (target <= 0.5)`);
    } else {
      console.log(
        '  pssh baseline skipped: needs sshd (openssh-server) and pssh (apt-get install openssh-server pssh)',
      );
    }
    const big = await timed(
      process.execPath,
      [CLI, 'exec', '-n', '--summary-only', '--parallel', '64', '--hosts', inventory(1000), '--', 'true'],
      env,
    );
    const bigOk = (big.out.match(/^h\d+\s+0\s/gm) ?? []).length;
    console.log(
      `  framesh exec --hosts (1000 x true, parallel 64): ${big.ms.toFixed(0)} ms, ${1000 - bigOk} failures, ${((bigOk * 1000) / big.ms).toFixed(0)} hosts/s, client peak RSS ${(big.peak / 2 ** 20).toFixed(0)} MB (target < 300)`,
    );
  } finally {
    sshd?.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
