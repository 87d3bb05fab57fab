import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/secure.js';
import { hasOpenSsh, sshKeygen } from '../helpers/ssh-tools.js';

/** An askpass program that prints `answer` (and records its prompt), as FRAMESH_ASKPASS runs it. */
function askpass(answer: string): { program: string; prompts: () => string[] } {
  const dir = tempDir('framesh-askpass-');
  const program = path.join(dir, 'askpass');
  const log = path.join(dir, 'prompts');
  writeFileSync(program, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${log}'\nprintf '%s\\n' '${answer}'\n`);
  chmodSync(program, 0o755);
  return { program, prompts: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

describe(
  'CLI: keygen -y, -l, -R, -f',
  { skip: !hasOpenSsh() && 'openssh-client is not installed', concurrency: 3 },
  () => {
    it('keygen -y prints the public key of ssh-keygen keys (asking a passphrase), -l names type and size', async () => {
      for (const key of [
        sshKeygen('ed25519'),
        sshKeygen('rsa', { bits: 3072 }),
        sshKeygen('ecdsa', { bits: 384, passphrase: 'pw' }),
      ]) {
        const pass = askpass('pw');
        const y = await runCli(['keygen', '-y', '-f', key.file], { env: { FRAMESH_ASKPASS: pass.program } });
        assert.equal(y.code, 0, y.stderr);
        assert.equal(y.stdout, `${key.publicLine}\n`);
        const l = await runCli(['keygen', '-l', '-f', key.file]);
        const [bits, fingerprint, , type] = l.stdout.trim().split(' ');
        assert.equal(fingerprint, key.fingerprint);
        assert.equal(
          `${bits} ${type}`,
          key.file.endsWith('rsa') ? '3072 (RSA)' : key.file.endsWith('ecdsa') ? '384 (ECDSA)' : '256 (ED25519)',
        );
      }
    });

    it('keygen -R forgets a host in known_hosts (one port, or all), rewriting it atomically with mode 0600', async () => {
      const home = tempDir('framesh-known-');
      const file = path.join(home, 'known_hosts');
      writeFileSync(file, 'web1:7022 SHA256:a\nweb10:7022 SHA256:b\nweb1:8022 SHA256:c\ndb:7022 SHA256:d\n', {
        mode: 0o600,
      });
      const one = await runCli(['keygen', '-R', 'web1:8022'], { env: { FRAMESH_HOME: home } });
      assert.equal(one.code, 0, one.stderr);
      assert.match(one.stdout, /Host web1:8022 found: line 3/);
      assert.equal(readFileSync(file, 'utf8'), 'web1:7022 SHA256:a\nweb10:7022 SHA256:b\ndb:7022 SHA256:d\n');
      const all = await runCli(['keygen', '-R', 'web1'], { env: { FRAMESH_HOME: home } });
      assert.equal(all.code, 0);
      assert.equal(readFileSync(file, 'utf8'), 'web10:7022 SHA256:b\ndb:7022 SHA256:d\n');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const none = await runCli(['keygen', '-R', 'nowhere'], { env: { FRAMESH_HOME: home } });
      assert.match(none.stderr, /nowhere is not in/);
    });

    it('keygen -f into a missing directory says so, without a raw ENOENT', async () => {
      const result = await runCli(['keygen', '-f', path.join(tempDir('framesh-kg-'), 'no', 'such', 'id')]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /cannot write .*: the directory .*no\/such does not exist \(create it first/);
      assert.doesNotMatch(result.stderr, /ENOENT/);
    });
  },
);
