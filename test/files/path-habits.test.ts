/**
 * Issue 10, scp habits for paths: a trailing slash means a directory (put and get, CLI and library),
 * put() returns where the file really went, and `host:~` / `host:~/x` are the server account's home.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, type FrameshClient } from '../../src/index.js';
import { runCli, startServeProcess, type ServeProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dirs.js';

describe('scp path habits', () => {
  let serve: ServeProcess;
  let client: FrameshClient;
  let root: string;
  let home: string;
  let local: string;
  let host: string;
  before(async () => {
    root = tempDir('framesh-habits-root-');
    home = path.join(root, 'home', 'account');
    mkdirSync(home, { recursive: true });
    mkdirSync(path.join(root, 'existing'));
    local = tempDir('framesh-habits-local-');
    writeFileSync(path.join(local, 'a.txt'), 'alpha\n');
    writeFileSync(path.join(local, 'with space & odd [name].txt'), 'odd\n');
    serve = await startServeProcess(['--insecure', '--root', root], { HOME: home });
    host = `127.0.0.1:${serve.port}`;
    client = await connect({ host: '127.0.0.1', port: serve.port, insecure: true });
  });
  after(async () => {
    await client.close();
    await serve.stop();
  });
  const cli = (args: string[]) => runCli([args[0] as string, '--insecure', '-q', ...args.slice(1)]);

  it('CLI: put a.txt host:x/ with no x fails and creates nothing; into an existing directory it keeps its name', async () => {
    const refused = await cli(['put', path.join(local, 'a.txt'), `${host}:x/`]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /no such directory: x\//);
    assert.equal(existsSync(path.join(root, 'x')), false);
    const stored = await cli(['put', path.join(local, 'a.txt'), `${host}:existing/`]);
    assert.equal(stored.code, 0, stored.stderr);
    assert.equal(readFileSync(path.join(root, 'existing', 'a.txt'), 'utf8'), 'alpha\n');
  });

  it("library: put(f, 'releases/') fails without mkdirs, creates the directory with it, and returns the final path", async () => {
    await assert.rejects(client.put(path.join(local, 'a.txt'), 'releases/'), {
      code: 'ENOENT',
      message: /no such directory: releases\//,
    });
    assert.equal(existsSync(path.join(root, 'releases')), false);
    const made = await client.put(path.join(local, 'a.txt'), 'releases/', { mkdirs: true });
    assert.equal(made.path, 'releases/a.txt');
    assert.equal(readFileSync(path.join(root, 'releases', 'a.txt'), 'utf8'), 'alpha\n');
    assert.equal((await client.put(path.join(local, 'a.txt'), 'existing')).path, 'existing/a.txt');
    assert.equal((await client.put(path.join(local, 'a.txt'), 'renamed.txt')).path, 'renamed.txt');
    await assert.rejects(client.put(path.join(local, 'a.txt'), 'releases/a.txt/'), { code: 'ENOTDIR' });
  });

  it('get f /tmp/newdir/ says the directory is missing, without temp paths or rename errors', async () => {
    const missing = path.join(local, 'newdir') + '/';
    const result = await cli(['get', `${host}:existing/a.txt`, missing]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /no such directory: .*newdir\//);
    assert.doesNotMatch(result.stderr, /rename|framesh-part/);
    await assert.rejects(client.get('existing/a.txt', path.join(local, 'gone', 'deeper', 'a.txt')), {
      code: 'ENOENT',
      message: /no such directory: .*gone/,
    });
    assert.deepEqual(
      readdirSync(local).filter((n) => n.includes('framesh-part')),
      [],
    );
  });

  it("host:~/x and host:~ are the server account's home", async () => {
    const put = await cli(['put', path.join(local, 'a.txt'), `${host}:~/from-tilde.txt`]);
    assert.equal(put.code, 0, put.stderr);
    assert.equal(readFileSync(path.join(home, 'from-tilde.txt'), 'utf8'), 'alpha\n');
    const into = await cli(['put', path.join(local, 'with space & odd [name].txt'), `${host}:~`]);
    assert.equal(into.code, 0, into.stderr);
    assert.equal(readFileSync(path.join(home, 'with space & odd [name].txt'), 'utf8'), 'odd\n');
    const back = path.join(local, 'back.txt');
    const get = await cli(['get', `${host}:~/from-tilde.txt`, back]);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(readFileSync(back, 'utf8'), 'alpha\n');
    assert.equal((await client.stat('~')).type, 'directory');
    assert.equal((await client.put(path.join(local, 'a.txt'), '~/')).path, '~/a.txt');
  });
});
