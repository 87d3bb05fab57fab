// Servers the benchmarks run beside framesh: the real `framesh serve` CLI with a private
// FRAMESH_HOME, and a private OpenSSH sshd on a free loopback port. Both stop with stop().
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withTimeout } from './lib.mjs';

export const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** `framesh serve` in its own process; resolves once it prints its listening line. */
export async function startCliServer(home, extra = []) {
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', '0', '--keepalive-interval', '0', '--log-level', 'warn', ...extra],
    {
      env: { ...process.env, FRAMESH_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let errText = '';
  child.stderr.on('data', (c) => (errText += c));
  const port = await withTimeout(
    new Promise((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (c) => {
        text += c;
        const m = /listening on .*:(\d+)/.exec(text);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`serve exited (${code})`)));
    }),
    20_000,
    'framesh serve start',
  );
  const launcher = /commands start with (.*)/.exec(errText)?.[1] ?? 'unknown';
  return {
    port,
    pid: child.pid,
    launcher,
    stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))),
  };
}

/** A private sshd on a free loopback port, or null when OpenSSH is not installed. */
export async function startSshd(dir) {
  const sshd = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => {
    try {
      execFileSync(p, ['-V'], { stdio: 'ignore' });
      return true;
    } catch (e) {
      return e.status !== undefined && e.code !== 'ENOENT';
    }
  });
  if (!sshd) return null;
  const port = await new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const p = probe.address().port;
      probe.close(() => resolve(p));
    });
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'client_key')]);
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'client_key.pub')));
  chmodSync(dir, 0o700);
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'LogLevel ERROR',
      // As the benches start framesh serve with raised startup limits: many handshakes from one address at once is what is measured.
      'MaxStartups 200',
      'Subsystem sftp internal-sftp',
    ].join('\n') + '\n',
  );
  execFileSync('mkdir', ['-p', '/run/sshd']);
  const child = spawn(sshd, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.resume();
  const base = [
    '-p',
    String(port),
    '-i',
    path.join(dir, 'client_key'),
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    `UserKnownHostsFile=${path.join(dir, 'known_hosts')}`,
    '-o',
    'BatchMode=yes',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'ControlMaster=no',
    '-o',
    'ControlPath=none',
  ];
  // First until sshd listens, then one login: a login may be slow (the account's shell start-up files
  // run; pyenv's rehash lock, left stale by a killed login, made each one wait 60 s here once).
  let listening = false;
  for (let i = 0; i < 100 && !listening; i++) {
    listening = await new Promise((resolve) => {
      const probe = net.connect(port, '127.0.0.1', () => (probe.destroy(), resolve(true)));
      probe.once('error', () => resolve(false));
    });
    if (!listening) await new Promise((r) => setTimeout(r, 100));
  }
  const started = performance.now();
  try {
    if (!listening) throw new Error('sshd did not listen');
    execFileSync('ssh', [...base, '127.0.0.1', 'true'], { stdio: 'ignore', timeout: 120_000 });
  } catch {
    child.kill('SIGTERM');
    return null;
  }
  const loginMs = performance.now() - started;
  if (loginMs > 5000) console.log(`  (warning: an ssh login takes ${(loginMs / 1000).toFixed(0)} s on this host)`);
  return { base, stop: () => child.kill('SIGTERM') };
}
