/**
 * Issue 9, "where the server and the spec disagree" (file part): a file that grows during a get ends in
 * FILE_CHANGED, not in a verified truncated copy; mkdir through a regular file is ENOTDIR; no error
 * message reveals the server's absolute paths.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { FrameshClient } from '../../src/index.js';
import { CLIENT_HELLO, rawPeer } from '../helpers/raw-peer.js';
import { startTestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

describe('file channels do what §9 says', () => {
  let port: number;
  let root: string;
  let client: FrameshClient;
  before(async () => {
    root = path.join(tempDir('framesh-spec-files-'), 'root');
    mkdirSync(root);
    writeFileSync(path.join(root, 'plain.txt'), 'a regular file\n');
    mkdirSync(path.join(root, 'dir'));
    const server = await startTestServer({ root });
    port = server.port;
    client = await server.client();
  });

  it('a file that grows while it is sent ends with FILE_CHANGED and no done', async () => {
    writeFileSync(path.join(root, 'growing.log'), Buffer.alloc(256 * 1024, 0x61));
    const peer = await rawPeer(port);
    peer.send(CLIENT_HELLO);
    await peer.next('hello');
    // A window of 1 KiB: the server sends that much and waits for credit, so the file can grow in between.
    peer.send({ type: 'open', ch: 1, kind: 'get', path: 'growing.log', window: 1024 });
    await peer.next('opened');
    await peer.next('data');
    appendFileSync(path.join(root, 'growing.log'), 'one more line\n');
    peer.send({ type: 'window', ch: 1, bytes: 64 * 1024 * 1024 });
    const error = await peer.next('error');
    assert.equal(error.code, 'FILE_CHANGED');
    peer.socket.destroy();
    const frames = await peer.closed();
    assert.equal(
      frames.some((f) => f.type === 'done'),
      false,
    );
  });

  it('mkdir through a regular file in mid-path is ENOTDIR, naming only the path asked for', async () => {
    const err = (await client.mkdir('plain.txt/a/b').then(
      () => assert.fail('mkdir succeeded'),
      (e: Error & { code: string }) => e,
    )) as Error & { code: string };
    assert.equal(err.code, 'ENOTDIR');
    assert.ok(!err.message.includes(root), err.message);
  });

  it('no error message names the server root', async () => {
    const local = path.join(tempDir('framesh-spec-local-'), 'f');
    writeFileSync(local, 'x');
    const attempts: Array<() => Promise<unknown>> = [
      () => client.get('dir', path.join(path.dirname(local), 'out')),
      () => client.get('missing.txt', path.join(path.dirname(local), 'out')),
      () => client.put(local, 'missing-dir/deeper/f'),
      () => client.put(local, 'plain.txt/f'),
      () => client.mkdir('plain.txt'),
      () => client.stat('plain.txt/x'),
    ];
    let refused = 0;
    for (const attempt of attempts) {
      const outcome = await attempt().then(
        () => null,
        (e: Error) => e,
      );
      if (outcome) refused += 1;
      if (outcome) assert.ok(!outcome.message.includes(root), outcome.message);
    }
    assert.ok(refused >= 5, `${refused} of ${attempts.length} refused`);
  });
});
