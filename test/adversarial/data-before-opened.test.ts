/**
 * Issue 9, defect 6: the server confirmed uploads it did not store. Data (or seek/done) sent before
 * `opened` was dropped and `done` still reported success; a put to another upload's partial name
 * changed what that upload renamed into place; exec stdin before `opened` vanished. Each is now a
 * protocol error or a refusal, and the hash is taken over the file that is renamed into place.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import type { FrameshClient } from '../../src/index.js';
import { CLIENT_HELLO, rawPeer, type RawPeer } from '../helpers/raw-peer.js';
import { startTestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('nothing sent before "opened" is lost silently', () => {
  let port: number;
  let root: string;
  let client: FrameshClient;
  before(async () => {
    root = path.join(tempDir('framesh-early-'), 'root');
    mkdirSync(path.join(root, 'sub'), { recursive: true });
    const server = await startTestServer({ root });
    port = server.port;
    client = await server.client();
  });

  async function greeted(): Promise<RawPeer> {
    const peer = await rawPeer(port);
    peer.send(CLIENT_HELLO);
    await peer.next('hello');
    return peer;
  }

  it('put: seek, data and done pipelined behind open end in PROTOCOL, never in a confirmed empty file', async () => {
    const peer = await greeted();
    const content = Buffer.from('these bytes were sent before opened\n');
    peer.write(
      Buffer.concat([
        encodeFrameToBuffer({
          type: 'open',
          ch: 1,
          kind: 'put',
          path: 'early.txt',
          size: content.length,
          window: 1024,
        }),
        encodeFrameToBuffer({ type: 'seek', ch: 1, offset: 0 }),
        encodeFrameToBuffer({ type: 'data', ch: 1, stream: 'file' }, content),
        encodeFrameToBuffer({ type: 'done', ch: 1, sha256: sha256(content) }),
      ]),
    );
    const frames = await peer.closed();
    assert.equal(
      frames.some((f) => f.type === 'done'),
      false,
      JSON.stringify(frames),
    );
    assert.ok(
      frames.some((f) => f.type === 'error' && f.code === 'PROTOCOL'),
      JSON.stringify(frames),
    );
    assert.equal(existsSync(path.join(root, 'early.txt')), false);
  });

  it('exec: stdin pipelined behind open ends in PROTOCOL, not in a command that read nothing', async () => {
    const peer = await greeted();
    peer.write(
      Buffer.concat([
        encodeFrameToBuffer({ type: 'open', ch: 1, kind: 'exec', command: ['cat'], window: 65536 }),
        encodeFrameToBuffer({ type: 'data', ch: 1, stream: 'stdin' }, Buffer.from('typed ahead\n')),
        encodeFrameToBuffer({ type: 'eof', ch: 1, stream: 'stdin' }),
      ]),
    );
    const frames = await peer.closed();
    assert.equal(
      frames.some((f) => f.type === 'exit' && f.code === 0),
      false,
      JSON.stringify(frames),
    );
    assert.ok(
      frames.some((f) => f.type === 'error' && f.code === 'PROTOCOL'),
      JSON.stringify(frames),
    );
  });

  it('a put to a framesh partial name is refused (RESERVED_NAME), and so is a mkdir of one', async () => {
    const local = path.join(tempDir('framesh-early-local-'), 'x');
    writeFileSync(local, 'intruder\n');
    for (const remote of ['sub/.c.txt.framesh-part', '.c.txt.framesh-part-00ff00ff00ff']) {
      await assert.rejects(client.put(local, remote), { code: 'RESERVED_NAME' });
      assert.equal(existsSync(path.join(root, remote)), false);
    }
    await assert.rejects(client.mkdir('sub/.d.framesh-part'), { code: 'RESERVED_NAME' });
  });

  it("bytes changed in the partial behind the upload's back are caught at done: CHECKSUM_MISMATCH, target untouched", async () => {
    writeFileSync(path.join(root, 'sub', 'c.txt'), 'old contents\n');
    // Half the server's 8 MiB put window, so the window update comes once the last byte is written.
    const content = Buffer.alloc(4 * 1024 * 1024, 0x41);
    const peer = await greeted();
    peer.send({ type: 'open', ch: 1, kind: 'put', path: 'sub/c.txt', size: content.length, window: 1024 });
    await peer.next('opened');
    peer.send({ type: 'seek', ch: 1, offset: 0 });
    for (let at = 0; at < content.length; at += 512 * 1024)
      peer.send({ type: 'data', ch: 1, stream: 'file' }, content.subarray(at, at + 512 * 1024));
    // The server grants the window back once the bytes are written: then they are in the partial.
    await peer.next('window');
    const partial = path.join(root, 'sub', '.c.txt.framesh-part');
    assert.equal(statSync(partial).size, content.length);
    writeFileSync(partial, 'another writer\n', { flag: 'r+' });
    peer.send({ type: 'done', ch: 1, sha256: sha256(content) });
    const error = await peer.next('error');
    assert.equal(error.code, 'CHECKSUM_MISMATCH');
    assert.equal(readFileSync(path.join(root, 'sub', 'c.txt'), 'utf8'), 'old contents\n');
    assert.equal(existsSync(partial), false);
    peer.socket.destroy();
  });
});
