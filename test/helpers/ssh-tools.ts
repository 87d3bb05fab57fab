/**
 * The real OpenSSH tools for key tests: keys made by ssh-keygen, and a private ssh-agent per test
 * (started with -a on a socket in a temp dir, stopped by its PID after the test file).
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import { tempDir } from './temp-dirs.js';

export function hasOpenSsh(): boolean {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
  } catch (err) {
    // ssh-keygen -? prints usage and exits 1: present. ENOENT: absent.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
  }
  try {
    execFileSync('ssh-agent', ['-k'], { stdio: 'ignore', env: { ...process.env, SSH_AGENT_PID: '' } });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
  }
  return true;
}

export interface SshKey {
  readonly file: string;
  readonly publicLine: string;
  /** What `ssh-keygen -l` says the fingerprint is. */
  readonly fingerprint: string;
}

/** `ssh-keygen -t TYPE [-b BITS] -N PASSPHRASE [-m FORMAT]` into a fresh directory. */
export function sshKeygen(
  type: 'ed25519' | 'rsa' | 'ecdsa',
  options: { bits?: number; passphrase?: string; format?: 'PEM' } = {},
): SshKey {
  const file = path.join(tempDir('framesh-sshkey-'), `id_${type}`);
  const args = ['-q', '-t', type, '-N', options.passphrase ?? '', '-C', `${type}@test`, '-f', file];
  if (options.bits) args.push('-b', String(options.bits));
  // Few KDF rounds: the key is decrypted in JavaScript (bcrypt-pbkdf), in the same process as the test's server.
  if (options.passphrase) args.push('-a', '2');
  if (options.format) args.push('-m', options.format);
  execFileSync('ssh-keygen', args, { stdio: 'ignore' });
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], {
    encoding: 'utf8',
  }).split(' ')[1] as string;
  return { file, publicLine: readFileSync(`${file}.pub`, 'utf8').trim(), fingerprint };
}

const agents: number[] = [];
after(() => {
  for (const pid of agents.splice(0)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
});

/** Starts `ssh-agent -D -a SOCK` (foreground, so its PID is ours to stop) and waits for its socket. */
export async function startSshAgent(): Promise<{ socket: string; pid: number; add(file: string): void }> {
  const socket = path.join(tempDir('framesh-agent-'), 'agent.sock');
  const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: ['ignore', 'pipe', 'inherit'] });
  agents.push(child.pid as number);
  // ssh-agent -D prints its SSH_AUTH_SOCK line once it listens.
  let out = '';
  while (!out.includes('SSH_AUTH_SOCK')) {
    const [chunk] = (await Promise.race([once(child.stdout, 'data'), once(child, 'exit').then(() => [null])])) as [
      Buffer | null,
    ];
    if (chunk === null) throw new Error('ssh-agent exited before listening');
    out += chunk.toString('utf8');
  }
  if (!existsSync(socket)) throw new Error(`ssh-agent said it listens but ${socket} is missing`);
  return {
    socket,
    pid: child.pid as number,
    add: (file) =>
      execFileSync('ssh-add', ['-q', file], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' }),
  };
}
