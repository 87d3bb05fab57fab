/**
 * Classic uploads that must not land where their name points: refused names,
 * a directory in the way, a symbolic link at the target. Each is followed by
 * a command on the same connection, which must still be served, and no file
 * content may ever run as a command.
 */
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ServeProcess } from '../helpers/cli.js';
import { auditEvents, eventually, runClassicClient, startClassicServe } from './classic-server-helpers.js';
import { tempDir } from '../helpers/temp-dirs.js';

describe('serve --classic uploads kept inside the root', () => {
  let serve: ServeProcess & { classicPort: number };
  let base: string;
  let root: string;
  let payload: string;

  before(async () => {
    base = tempDir('framesh-classic-uploads-');
    root = path.join(base, 'root');
    mkdirSync(root);
    // Content that would leave a trace if it were ever run as a command.
    payload = path.join(base, 'payload.sh');
    writeFileSync(payload, `touch ${path.join(base, 'PWNED')}\n`);
    serve = await startClassicServe('json', ['--root', root, '--cwd', root]);
  });

  after(async () => {
    await serve?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  const pwned = (): boolean => readdirSync(base).includes('PWNED') || readdirSync(root).includes('PWNED');
  const leftovers = (): string[] => readdirSync(root).filter((entry) => entry.includes('framesh-classic'));

  for (const name of ['..', '.', '', 'dir/..', 'dir/']) {
    test(`an upload named ${JSON.stringify(name)} is refused, its bytes dropped, the connection goes on`, async () => {
      const before = readdirSync(root).sort();
      const [reply] = await runClassicClient(serve.classicPort, 'json', [`put=${payload}=${name}`, 'cmd=echo ok']);
      assert.equal(reply?.text, 'ok\n');
      const record = await eventually(() => auditEvents(serve, 'classic.upload').find((e) => e.name === name));
      assert.deepEqual([record.outcome, record.error, record.stored], ['refused', 'CLASSIC_UPLOAD_NAME', null]);
      assert.deepEqual(readdirSync(root).sort(), before);
      assert.equal(pwned(), false);
    });
  }

  test('an upload onto a directory fails, leaves no temporary file, and the connection goes on', async () => {
    mkdirSync(path.join(root, 'adir'));
    const [reply] = await runClassicClient(serve.classicPort, 'json', [`put=${payload}=adir`, 'cmd=echo ok']);
    assert.equal(reply?.text, 'ok\n');
    const record = await eventually(() => auditEvents(serve, 'classic.upload').find((e) => e.name === 'adir'));
    assert.deepEqual([record.outcome, record.error], ['failed', 'CLASSIC_UPLOAD_FAILED']);
    assert.equal(lstatSync(path.join(root, 'adir')).isDirectory(), true);
    assert.deepEqual(leftovers(), []);
    assert.equal(pwned(), false);
  });

  test('a symbolic link at the target is replaced, never written through', async () => {
    const outside = path.join(base, 'outside.txt');
    writeFileSync(outside, 'untouched\n');
    symlinkSync(outside, path.join(root, 'link'));
    const content = path.join(base, 'content.txt');
    writeFileSync(content, 'new content\n');
    const [reply] = await runClassicClient(serve.classicPort, 'json', [`put=${content}=link`, 'cmd=cat link']);
    assert.equal(reply?.text, 'new content\n');
    assert.equal(lstatSync(path.join(root, 'link')).isSymbolicLink(), false);
    assert.equal(readFileSync(outside, 'utf8'), 'untouched\n');
  });

  test('a second upload to the same name replaces the first whole', async () => {
    const one = path.join(base, 'one.txt');
    const two = path.join(base, 'two.txt');
    writeFileSync(one, 'first version, longer than the second\n');
    writeFileSync(two, 'second\n');
    const [reply] = await runClassicClient(serve.classicPort, 'json', [
      `put=${one}=same.txt`,
      `put=${two}=same.txt`,
      'cmd=cat same.txt',
    ]);
    assert.equal(reply?.text, 'second\n');
    assert.deepEqual(leftovers(), []);
  });
});
