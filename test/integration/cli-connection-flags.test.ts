import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, startServeProcess, tempHome, type ServeProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dirs.js';

/** issue 10: ssh's -p, scp's -P and -o Key=Value, as a user types them. */
describe('-p, -P and -o Key=Value (CLI)', { concurrency: 2 }, () => {
  let serve: ServeProcess;
  let root: string;
  before(async () => {
    root = tempDir('framesh-flags-root-');
    serve = await startServeProcess(['--insecure', '--root', root]);
  });
  after(async () => {
    assert.equal(await serve.stop(), 0);
  });

  it('exec and shell take -p PORT or -o Port=PORT for a HOST without one', async () => {
    const short = await runCli(['exec', '--insecure', '-p', String(serve.port), '127.0.0.1', '--', 'echo dash-p']);
    assert.equal(short.code, 0, short.stderr);
    assert.equal(short.stdout, 'dash-p\n');
    const setting = await runCli(['exec', '--insecure', '-o', `Port=${serve.port}`, '127.0.0.1', '--', 'echo dash-o']);
    assert.equal(setting.code, 0, setting.stderr);
    assert.equal(setting.stdout, 'dash-o\n');
    const shell = await runCli(['shell', '--insecure', '-p', String(serve.port), '127.0.0.1'], {
      input: 'echo in-shell\n',
    });
    assert.equal(shell.code, 0, shell.stderr);
    assert.equal(shell.stdout, 'in-shell\n');
  });

  it('put and get take -P PORT (scp), while -p still keeps times', async () => {
    const local = tempDir('framesh-flags-local-');
    const file = path.join(local, 'a.txt');
    writeFileSync(file, 'over -P\n');
    const put = await runCli(['put', '--insecure', '-q', '-p', '-P', String(serve.port), file, '127.0.0.1:a.txt']);
    assert.equal(put.code, 0, put.stderr);
    assert.equal(readFileSync(path.join(root, 'a.txt'), 'utf8'), 'over -P\n');
    const get = await runCli([
      'get',
      '--insecure',
      '-q',
      '-P',
      String(serve.port),
      '127.0.0.1:a.txt',
      path.join(local, 'b.txt'),
    ]);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(readFileSync(path.join(local, 'b.txt'), 'utf8'), 'over -P\n');
  });

  it('an unknown setting or a bad value is a usage error (exit 2) naming the known ones', async () => {
    const unknown = await runCli(['exec', '--insecure', '-o', 'User=root', `127.0.0.1:${serve.port}`, '--', 'true']);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /unknown setting "User"; known: HostName, Port, ConnectTimeout, IdentityFile, Fingerprint, StrictHostKeyChecking/,
    );
    const bad = await runCli(['exec', '--insecure', '-p', '0', '127.0.0.1', '--', 'true']);
    assert.equal(bad.code, 2);
  });
});

describe('-o StrictHostKeyChecking against a TLS server (CLI)', () => {
  it('yes refuses an unknown server, accept-new trusts and remembers it', async () => {
    const serverHome = tempHome();
    const serve = await startServeProcess([], { FRAMESH_HOME: serverHome });
    try {
      const clientHome = tempHome();
      const keygen = await runCli(['keygen', '-C', 'flags'], { env: { FRAMESH_HOME: clientHome } });
      assert.equal(keygen.code, 0, keygen.stderr);
      appendFileSync(path.join(serverHome, 'authorized_keys'), readFileSync(path.join(clientHome, 'id_ed25519.pub')));
      const env = { FRAMESH_HOME: clientHome };
      const refused = await runCli(
        ['exec', '-o', 'StrictHostKeyChecking=yes', '-p', String(serve.port), '127.0.0.1', '--', 'true'],
        { env },
      );
      assert.equal(refused.code, 255);
      assert.match(refused.stderr, /HOST_KEY_UNKNOWN/);
      assert.equal(existsSync(path.join(clientHome, 'known_hosts')), false);
      const accepted = await runCli(
        [
          'exec',
          '-o',
          'StrictHostKeyChecking=accept-new',
          '-o',
          'ConnectTimeout=20',
          '-p',
          String(serve.port),
          '127.0.0.1',
          '--',
          'echo trusted',
        ],
        { env },
      );
      assert.equal(accepted.code, 0, accepted.stderr);
      assert.equal(accepted.stdout, 'trusted\n');
      assert.match(
        readFileSync(path.join(clientHome, 'known_hosts'), 'utf8'),
        new RegExp(`127\\.0\\.0\\.1:${serve.port}`),
      );
    } finally {
      assert.equal(await serve.stop(), 0);
    }
  });
});
