import { ssh2 } from '../security/ssh2-library.js';
import type { ParsedKey } from 'ssh2';
import { AgentError } from '../security/key-errors.js';
import { fingerprintOfBlob, SSH_KEY_TYPES, type SshKeyType } from '../security/public-key-format.js';
import { SIGNATURE_ALGORITHMS } from '../security/signature-algorithms.js';
import type { ProofSigner } from './client-identity.js';

/**
 * Keys held by a running ssh-agent (SSH_AUTH_SOCK), through ssh2's agent client: the agent signs,
 * the private key never enters this process. Each request is bounded by `timeoutMs`, so a stuck
 * agent cannot hold a connection attempt forever.
 */
export async function agentSigners(socketPath: string, timeoutMs: number): Promise<ProofSigner[]> {
  const agent = new (ssh2().OpenSSHAgent)(socketPath);
  const keys = await bounded<ParsedKey[]>(timeoutMs, 'list its keys', (done) =>
    agent.getIdentities((err, found) => done(err, (found ?? []) as ParsedKey[])),
  );
  const usable = keys.filter((key) => (SSH_KEY_TYPES as readonly string[]).includes(key.type));
  return usable.map((key) => {
    const blob = key.getPublicSSH();
    const type = key.type as SshKeyType;
    return {
      type,
      fingerprint: fingerprintOfBlob(blob),
      publicKeyLine: `${type} ${blob.toString('base64')}${key.comment ? ` ${key.comment}` : ''}`,
      source: `ssh-agent key ${key.comment || fingerprintOfBlob(blob)}`,
      sign: (alg, data) => {
        const hash =
          SIGNATURE_ALGORITHMS[alg].keyType === 'ssh-rsa'
            ? { hash: SIGNATURE_ALGORITHMS[alg].hash as 'sha256' | 'sha512' }
            : undefined;
        return bounded<Buffer>(timeoutMs, 'sign', (done) =>
          hash
            ? agent.sign(key, data, hash, (err, sig) => done(err, sig as Buffer))
            : agent.sign(key, data, (err, sig) => done(err, sig as Buffer)),
        );
      },
    };
  });
}

function bounded<T>(
  timeoutMs: number,
  what: string,
  start: (done: (err: Error | undefined | null, value: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new AgentError(`ssh-agent did not ${what} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    start((err, value) => {
      clearTimeout(timer);
      if (err) reject(new AgentError(`ssh-agent could not ${what}: ${err.message}`, { cause: err }));
      else resolve(value);
    });
  });
}
