import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, startServeProcess, tempHome } from '../helpers/cli.js';

function hasSshKeygen(): boolean {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    return (err as { status?: number }).status !== undefined && (err as { code?: string }).code !== 'ENOENT';
  }
}

describe('CLI security', () => {
  it('zero-config first run: serve authorizes this account, exec works encrypted with no extra step', async () => {
    const home = tempHome();
    const serve = await startServeProcess([], { FRAMESH_HOME: home });
    try {
      assert.match(serve.stderr(), /no authorized_keys found: authorized this account's own key/);
      assert.match(serve.stderr(), /host key fingerprint SHA256:[A-Za-z0-9+/]{43}/);
      const result = await runCli(['exec', `127.0.0.1:${serve.port}`, '--', 'echo over tls'], {
        env: { FRAMESH_HOME: home },
      });
      assert.equal(result.stderr, '');
      assert.equal(result.stdout, 'over tls\n');
      assert.equal(result.code, 0);
      assert.match(serve.stderr(), /"event":"auth.success"/);
    } finally {
      assert.equal(await serve.stop(), 0);
    }
  });

  it('a script without --accept-new is refused with the fingerprint; --accept-new lets it in', async () => {
    const serverHome = tempHome();
    const serve = await startServeProcess([], { FRAMESH_HOME: serverHome });
    try {
      const clientHome = tempHome();
      const keygen = await runCli(['keygen', '-C', 'ci'], { env: { FRAMESH_HOME: clientHome } });
      assert.equal(keygen.code, 0, keygen.stderr);
      const pub = readFileSync(path.join(clientHome, 'id_ed25519.pub'), 'utf8');
      const { appendFileSync } = await import('node:fs');
      appendFileSync(path.join(serverHome, 'authorized_keys'), pub);
      const target = `127.0.0.1:${serve.port}`;
      const refused = await runCli(['exec', target, '--', 'true'], { env: { FRAMESH_HOME: clientHome } });
      assert.equal(refused.code, 255);
      assert.match(refused.stderr, /can't be established.*SHA256:.*--accept-new/s);
      const accepted = await runCli(['exec', '--accept-new', target, '--', 'echo ok'], {
        env: { FRAMESH_HOME: clientHome },
      });
      assert.equal(accepted.stdout, 'ok\n');
      assert.match(serve.stderr(), /"event":"auth.success".*"comment":"ci"/);
    } finally {
      await serve.stop();
    }
  });

  it('serve --insecure refuses a non-loopback address unless --insecure-allow-remote', async () => {
    const result = await runCli(['serve', '--insecure', '--host', '0.0.0.0', '--port', '0']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /refusing --insecure on non-loopback address 0\.0\.0\.0.*--insecure-allow-remote/);
  });

  it(
    'keygen -l prints the same fingerprint as OpenSSH for the same key',
    { skip: !hasSshKeygen() && 'ssh-keygen is not installed' },
    async () => {
      const home = tempHome();
      const file = path.join(home, 'mykey');
      assert.equal((await runCli(['keygen', '-f', file, '-C', 'me@here'], { env: { FRAMESH_HOME: home } })).code, 0);
      const ours = (await runCli(['keygen', '-l', '-f', `${file}.pub`], { env: { FRAMESH_HOME: home } })).stdout.split(
        ' ',
      )[1];
      const openssh = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1];
      assert.equal(ours, openssh);
    },
  );
});
