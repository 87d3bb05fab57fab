import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { connect } from '../../src/index.js';
import { startSecureServer, tempDir, type SecureSetup } from '../helpers/secure.js';
import { hasOpenSsh, sshKeygen, startSshAgent, type SshKey } from '../helpers/ssh-tools.js';

const KINDS = [
  { type: 'ed25519', alg: 'ssh-ed25519' },
  { type: 'rsa', bits: 3072, alg: 'rsa-sha2-512' },
  { type: 'ecdsa', bits: 256, alg: 'ecdsa-sha2-nistp256' },
  { type: 'ecdsa', bits: 384, alg: 'ecdsa-sha2-nistp384' },
  { type: 'ecdsa', bits: 521, alg: 'ecdsa-sha2-nistp521' },
] as const;

/** A server that authorizes exactly `key` (its ssh-keygen .pub line), and records who got in. */
async function serverFor(key: SshKey): Promise<SecureSetup & { authenticated: string[] }> {
  // The client decrypts keys on the event loop it shares with this server: a loaded machine needs room.
  const setup = await startSecureServer({ authGraceMs: 30_000 });
  writeFileSync(setup.authorizedKeysFile, `${key.publicLine}\n`);
  const authenticated: string[] = [];
  setup.server.on('authenticated', (info: { fingerprint: string }) => authenticated.push(info.fingerprint));
  return Object.assign(setup, { authenticated });
}

async function runsWith(setup: SecureSetup, options: Parameters<typeof connect>[0]): Promise<void> {
  const client = await connect({
    port: setup.port,
    home: tempDir('framesh-client-'),
    acceptNew: true,
    agent: false,
    timeoutMs: 30_000,
    ...options,
  });
  try {
    assert.equal((await client.run(['echo', 'in'])).stdout, 'in\n');
  } finally {
    await client.close();
  }
}

describe(
  'keys made by ssh-keygen',
  { skip: !hasOpenSsh() && 'openssh-client is not installed', concurrency: 2 },
  () => {
    for (const kind of KINDS) {
      const name = `${kind.type}${'bits' in kind ? `-${kind.bits}` : ''}`;

      it(`${name} (openssh-key-v1) authenticates with ${kind.alg}; the server sees ssh-keygen's fingerprint`, async () => {
        const key = sshKeygen(kind.type, 'bits' in kind ? { bits: kind.bits } : {});
        const setup = await serverFor(key);
        const lines: string[] = [];
        await runsWith(setup, { identityFile: key.file, debug: (line) => lines.push(line) });
        assert.deepEqual(setup.authenticated, [key.fingerprint]);
        assert.ok(
          lines.some((l) => l.includes(`authenticating with key file ${key.file}: ${kind.alg} ${key.fingerprint}`)),
          lines.join('\n'),
        );
      });

      it(`${name} with a passphrase: given, asked, wrong, missing`, async () => {
        const key = sshKeygen(kind.type, { ...('bits' in kind && { bits: kind.bits }), passphrase: 'correct horse' });
        const setup = await serverFor(key);
        await runsWith(setup, { identityFile: key.file, passphrase: 'correct horse' });
        const asked: number[] = [];
        await runsWith(setup, {
          identityFile: key.file,
          askPassphrase: async (file, attempt) => {
            assert.equal(file, key.file);
            asked.push(attempt);
            return attempt === 1 ? 'wrong' : 'correct horse';
          },
        });
        assert.deepEqual(asked, [1, 2]);
        await assert.rejects(runsWith(setup, { identityFile: key.file }), (err: Error & { code: string }) => {
          assert.equal(err.code, 'KEY_PASSPHRASE');
          assert.match(err.message, /protected by a passphrase.*FRAMESH_ASKPASS/);
          return true;
        });
        await assert.rejects(runsWith(setup, { identityFile: key.file, passphrase: 'nope' }), {
          code: 'KEY_PASSPHRASE',
          message: /wrong passphrase/,
        });
        await assert.rejects(runsWith(setup, { identityFile: key.file, askPassphrase: async () => 'nope' }), {
          code: 'KEY_PASSPHRASE',
        });
        assert.equal(setup.authenticated.length, 2);
      });
    }

    it('legacy PEM (ssh-keygen -m PEM) RSA and ECDSA keys work too', async () => {
      for (const key of [sshKeygen('rsa', { bits: 2048, format: 'PEM' }), sshKeygen('ecdsa', { format: 'PEM' })]) {
        const setup = await serverFor(key);
        await runsWith(setup, { identityFile: key.file });
        assert.deepEqual(setup.authenticated, [key.fingerprint]);
      }
    });

    it('privateKey given as a Buffer or a string, with its passphrase', async () => {
      const key = sshKeygen('ed25519', { passphrase: 'pw' });
      const setup = await serverFor(key);
      await runsWith(setup, { privateKey: readFileSync(key.file), passphrase: 'pw' });
      await runsWith(setup, { privateKey: readFileSync(key.file, 'utf8'), passphrase: Buffer.from('pw') });
      await assert.rejects(runsWith(setup, { privateKey: 'not a key' }), { code: 'KEY_INVALID' });
      assert.equal(setup.authenticated.length, 2);
    });

    it('refuses an RSA key under 2048 bits before connecting', async () => {
      const key = sshKeygen('rsa', { bits: 1024 });
      const setup = await serverFor(key);
      await assert.rejects(runsWith(setup, { identityFile: key.file }), {
        code: 'KEY_INVALID',
        message: /1024-bit RSA key/,
      });
      assert.equal(setup.authenticated.length, 0);
    });

    it('a key of one type does not pass for an authorized key of another', async () => {
      const authorized = sshKeygen('rsa');
      const other = sshKeygen('ecdsa');
      const setup = await serverFor(authorized);
      await assert.rejects(runsWith(setup, { identityFile: other.file }), { code: 'AUTH_FAILED' });
    });
  },
);

describe('keys held by ssh-agent', { skip: !hasOpenSsh() && 'openssh-client is not installed', concurrency: 2 }, () => {
  it('with no key file at all, the agent signs (every key type)', async () => {
    const agent = await startSshAgent();
    for (const kind of KINDS) {
      const key = sshKeygen(kind.type, 'bits' in kind ? { bits: kind.bits } : {});
      const setup = await serverFor(key);
      // Only this key in the agent: the client takes the agent's first usable key.
      agent.add(key.file);
      const lines: string[] = [];
      await runsWith(setup, { agent: agent.socket, debug: (line) => lines.push(line) });
      assert.deepEqual(setup.authenticated, [key.fingerprint], kind.alg);
      assert.ok(
        lines.some((l) => l.includes(`authenticating with ssh-agent key ${kind.type}@test: ${kind.alg}`)),
        lines.join('\n'),
      );
      // Forget it again, so the next kind is the agent's only key.
      await import('node:child_process').then(({ execFileSync }) =>
        execFileSync('ssh-add', ['-D'], { env: { ...process.env, SSH_AUTH_SOCK: agent.socket }, stdio: 'ignore' }),
      );
    }
  });

  it('an encrypted key file whose key the agent holds needs no passphrase; -i FILE.pub picks an agent key', async () => {
    const agent = await startSshAgent();
    const decoy = sshKeygen('ed25519');
    const key = sshKeygen('ecdsa', { passphrase: 'secret' });
    agent.add(decoy.file);
    // ssh-add needs the passphrase: give it an unencrypted copy of the same key.
    const plain = path.join(tempDir('framesh-plain-'), 'id');
    copyFileSync(key.file, plain);
    chmodSync(plain, 0o600);
    const { execFileSync } = await import('node:child_process');
    execFileSync('ssh-keygen', ['-q', '-p', '-P', 'secret', '-N', '', '-f', plain], { stdio: 'ignore' });
    agent.add(plain);
    const setup = await serverFor(key);
    await runsWith(setup, { identityFile: key.file, agent: agent.socket });
    await runsWith(setup, { identityFile: `${key.file}.pub`, agent: agent.socket });
    assert.deepEqual(setup.authenticated, [key.fingerprint, key.fingerprint]);
  });

  it('no key file and no usable agent: KEY_MISSING says to run framesh keygen', async () => {
    const setup = await startSecureServer();
    const home = tempDir('framesh-empty-');
    await assert.rejects(
      connect({ port: setup.port, home, acceptNew: true, agent: path.join(home, 'no-agent.sock') }),
      (err: Error & { code: string }) => {
        assert.equal(err.code, 'KEY_MISSING');
        assert.match(err.message, /no key: .*id_ed25519 does not exist.*run `framesh keygen`/);
        return true;
      },
    );
  });
});
