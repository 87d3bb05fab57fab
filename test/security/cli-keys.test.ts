import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { startSecureServer, tempDir } from '../helpers/secure.js';
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

const noAgent = { SSH_AUTH_SOCK: '' };

describe(
  'CLI: keys, passphrases, -v',
  { skip: !hasOpenSsh() && 'openssh-client is not installed', concurrency: 3 },
  () => {
    it('exec -i with a passphrase-protected ssh-keygen key asks FRAMESH_ASKPASS; a failing askpass gives KEY_PASSPHRASE', async () => {
      const key = sshKeygen('ecdsa', { passphrase: 'open sesame' });
      const setup = await startSecureServer({ authGraceMs: 30_000 });
      writeFileSync(setup.authorizedKeysFile, `${key.publicLine}\n`);
      const home = tempDir('framesh-cli-home-');
      const good = askpass('open sesame');
      const ok = await runCli(['exec', '--accept-new', '-i', key.file, `127.0.0.1:${setup.port}`, '--', 'echo', 'hi'], {
        env: { FRAMESH_HOME: home, FRAMESH_ASKPASS: good.program, ...noAgent },
      });
      assert.equal(ok.stdout, 'hi\n', ok.stderr);
      assert.equal(ok.code, 0);
      assert.deepEqual(good.prompts(), [`Enter passphrase for key '${key.file}':`]);
      const bad = askpass('wrong');
      const refused = await runCli(['exec', '-i', key.file, `127.0.0.1:${setup.port}`, '--', 'echo', 'hi'], {
        env: { FRAMESH_HOME: home, FRAMESH_ASKPASS: bad.program, ...noAgent },
      });
      assert.equal(refused.code, 255);
      assert.match(refused.stderr, /wrong passphrase for .* \(KEY_PASSPHRASE\)/);
      assert.equal(bad.prompts().length, 3, 'asked three times, as ssh does');
    });

    it('-v prints phases, the host-key and auth decisions; -vv every frame; -q drops the --insecure warning', async () => {
      const setup = await startSecureServer();
      const env = { FRAMESH_HOME: setup.clientHome, ...noAgent };
      const v = await runCli(['exec', '-v', '--accept-new', `127.0.0.1:${setup.port}`, '--', 'true'], { env });
      assert.equal(v.code, 0, v.stderr);
      assert.match(v.stderr, /^debug1: using key file .*id_ed25519 \(ssh-ed25519 SHA256:/m);
      assert.match(v.stderr, /^debug1: connecting to 127\.0\.0\.1:\d+ \(TLS 1\.3\)$/m);
      assert.match(
        v.stderr,
        new RegExp(
          `^debug1: host key ${setup.server.fingerprint?.replace(/[+/]/g, '\\$&')} for 127\\.0\\.0\\.1:\\d+ added to `,
          'm',
        ),
      );
      assert.match(v.stderr, /^debug1: authenticating with key file .*: ssh-ed25519 SHA256:/m);
      assert.match(v.stderr, /^debug1: authenticated as SHA256:/m);
      assert.doesNotMatch(v.stderr, /debug2/);
      const vv = await runCli(['exec', '-vv', `127.0.0.1:${setup.port}`, '--', 'true'], { env });
      assert.match(vv.stderr, /^debug1: host key .* matches .*known_hosts$/m);
      assert.match(vv.stderr, /^debug2: -> \{"type":"hello"/m);
      assert.match(
        vv.stderr,
        /^debug2: -> \{"type":"auth","method":"publickey","alg":"ssh-ed25519".*"signature":"…"\}$/m,
      );
      assert.match(vv.stderr, /^debug2: <- \{"type":"exit"/m);
      const plain = await runCli(['exec', '-q', '--insecure', '127.0.0.1:1', '--', 'true'], { env });
      assert.doesNotMatch(plain.stderr, /WARNING/);
    });

    it('NODE_DEBUG=framesh traces the library without -v', async () => {
      const setup = await startSecureServer();
      const result = await runCli(['exec', '--accept-new', `127.0.0.1:${setup.port}`, '--', 'true'], {
        env: { FRAMESH_HOME: setup.clientHome, NODE_DEBUG: 'framesh', ...noAgent },
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /^FRAMESH \d+: authenticated as SHA256:/m);
    });

    it('says what to do about a missing key and about user@host', async () => {
      const setup = await startSecureServer();
      const home = tempDir('framesh-nokey-');
      const missing = await runCli(['exec', '--accept-new', `127.0.0.1:${setup.port}`, '--', 'true'], {
        env: { FRAMESH_HOME: home, ...noAgent },
      });
      assert.equal(missing.code, 255);
      assert.match(
        missing.stderr,
        /no key: .*id_ed25519 does not exist; run `framesh keygen` to make one, or give one with -i \(KEY_MISSING\)/,
      );
      assert.doesNotMatch(missing.stderr, /ENOENT|stat/);
      const login = await runCli(['exec', `root@127.0.0.1:${setup.port}`, '--', 'true'], {
        env: { FRAMESH_HOME: setup.clientHome, ...noAgent },
      });
      assert.equal(login.code, 255);
      assert.match(
        login.stderr,
        /framesh has no per-user logins.*Connect to 127\.0\.0\.1:\d+ instead.*\(NO_USER_LOGINS\)/,
      );
    });
  },
);
