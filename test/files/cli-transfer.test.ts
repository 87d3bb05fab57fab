import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, startServeProcess, type ServeProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dirs.js';

describe('framesh put and get (CLI)', () => {
  let serve: ServeProcess;
  let root: string;
  let local: string;
  let host: string;
  before(async () => {
    root = tempDir('framesh-cli-root-');
    local = tempDir('framesh-cli-local-');
    serve = await startServeProcess(['--insecure', '--root', root]);
    host = `127.0.0.1:${serve.port}`;
  });
  after(async () => {
    await serve.stop();
  });
  const cli = (args: string[]) => runCli([args[0] as string, '--insecure', ...args.slice(1)]);

  it('copies a tree with nested directories, an empty one and an executable there and back (-r)', async () => {
    const tree = path.join(local, 'tree');
    mkdirSync(path.join(tree, 'a', 'b'), { recursive: true });
    mkdirSync(path.join(tree, 'empty', 'also-empty'), { recursive: true });
    writeFileSync(path.join(tree, 'a', 'one.txt'), 'one\n');
    writeFileSync(path.join(tree, 'a', 'b', 'two.txt'), 'two\n');
    writeFileSync(path.join(tree, 'run.sh'), '#!/bin/sh\necho run\n');
    chmodSync(path.join(tree, 'run.sh'), 0o755);
    const put = await cli(['put', '-r', tree, `${host}:copy`]);
    assert.equal(put.code, 0, put.stderr);
    assert.equal(readFileSync(path.join(root, 'copy', 'a', 'b', 'two.txt'), 'utf8'), 'two\n');
    assert.equal(statSync(path.join(root, 'copy', 'run.sh')).mode & 0o777, 0o755);
    assert.ok(statSync(path.join(root, 'copy', 'empty', 'also-empty')).isDirectory(), 'empty directories arrive too');
    const back = path.join(local, 'back');
    const get = await cli(['get', '-r', `${host}:copy`, back]);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(readFileSync(path.join(back, 'a', 'one.txt'), 'utf8'), 'one\n');
    assert.equal(statSync(path.join(back, 'run.sh')).mode & 0o777, 0o755);
    assert.ok(statSync(path.join(back, 'empty', 'also-empty')).isDirectory(), 'and come back');
    assert.match(serve.stderr(), /"event":"transfer".*"direction":"put".*"sha256":"[0-9a-f]{64}".*"outcome":"ok"/);
  });

  it('puts several files into a remote directory and gets several back, quietly when not a TTY', async () => {
    mkdirSync(path.join(root, 'many'));
    for (const name of ['x', 'y']) writeFileSync(path.join(local, name), `${name}\n`);
    const put = await cli(['put', path.join(local, 'x'), path.join(local, 'y'), `${host}:many`]);
    assert.deepEqual([put.code, put.stdout], [0, '']);
    const into = path.join(local, 'into');
    mkdirSync(into);
    const get = await cli(['get', `${host}:many/x`, `${host}:many/y`, into]);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(readFileSync(path.join(into, 'y'), 'utf8'), 'y\n');
  });

  it('explains what is wrong, with the path, and exits non-zero', async () => {
    const dir = path.join(local, 'adir');
    mkdirSync(dir);
    const noR = await cli(['put', dir, `${host}:x`]);
    assert.equal(noR.code, 1);
    assert.match(noR.stderr, /adir: is a directory \(use -r\)/);
    const missing = await cli(['get', `${host}:nope.txt`, path.join(local, 'n')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.txt: no such file or directory on the server/);
    const escape = await cli(['get', `${host}:../../etc/passwd`, path.join(local, 'p')]);
    assert.equal(escape.code, 1);
    assert.match(escape.stderr, /escapes the server's file root.*\(PATH_ESCAPE\)/);
    const notRemote = await cli(['put', path.join(local, 'x'), 'just-a-local-name']);
    assert.equal(notRemote.code, 2);
    assert.match(notRemote.stderr, /expected HOST\[:PORT\]:PATH/);
  });
});
