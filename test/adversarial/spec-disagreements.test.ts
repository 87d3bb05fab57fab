/**
 * Issue 9, "Where the server and docs/PROTOCOL.md disagree": each case below answered differently from
 * the spec before (U+FFFD silently replacing bytes of an argv, VERSION for a malformed version,
 * SPAWN_FAILED for a cwd that is a file).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CLIENT_HELLO, rawFrame, rawPeer } from '../helpers/raw-peer.js';
import { startTestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

async function answerTo(
  port: number,
  ...frames: Buffer[]
): Promise<Array<{ type: string; code?: unknown; ch?: unknown }>> {
  const peer = await rawPeer(port);
  for (const frame of frames) peer.write(frame);
  return peer.closed(10_000);
}

describe('server answers as docs/PROTOCOL.md says', () => {
  it(
    'refuses a header that is not valid UTF-8 with PROTOCOL instead of replacing bytes',
    { timeout: 20_000 },
    async () => {
      const { server, port } = await startTestServer();
      let started = false;
      server.on('commandStart', () => (started = true));
      const hello = rawFrame(JSON.stringify(CLIENT_HELLO));
      const open = Buffer.from(
        `{"type":"open","ch":1,"kind":"exec","command":["echo","\xff\xfe"],"window":65536}`,
        'latin1',
      );
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(open.length);
      const frames = await answerTo(port, hello, prefix, open);
      assert.equal(frames.at(-1)?.type, 'error');
      assert.equal(frames.at(-1)?.code, 'PROTOCOL');
      assert.equal(frames.at(-1)?.ch, undefined);
      assert.equal(started, false);
    },
  );

  it('answers a malformed version ("1", "1.0.0", "v1.0") with PROTOCOL, not VERSION', { timeout: 20_000 }, async () => {
    const { port } = await startTestServer();
    for (const version of ['1', '1.0.0', 'v1.0', '01.0']) {
      const frames = await answerTo(port, rawFrame(JSON.stringify({ ...CLIENT_HELLO, version })));
      assert.deepEqual(
        frames.map((f) => [f.type, f.code]),
        [['error', 'PROTOCOL']],
        version,
      );
    }
    const frames = await answerTo(port, rawFrame(JSON.stringify({ ...CLIENT_HELLO, version: '2.0' })));
    assert.deepEqual(
      frames.map((f) => [f.type, f.code]),
      [['error', 'VERSION']],
    );
  });

  it('refuses a hello whose limits are below the spec minimums', { timeout: 20_000 }, async () => {
    const { port } = await startTestServer();
    for (const limits of [
      { maxHeaderBytes: 100, maxBodyBytes: 1048576, maxChannels: 64 },
      { maxHeaderBytes: 65536, maxBodyBytes: 10, maxChannels: 64 },
      { maxHeaderBytes: 65536, maxBodyBytes: 1048576 },
    ]) {
      const frames = await answerTo(port, rawFrame(JSON.stringify({ ...CLIENT_HELLO, limits })));
      assert.deepEqual(
        frames.map((f) => [f.type, f.code]),
        [['error', 'PROTOCOL']],
        JSON.stringify(limits),
      );
    }
  });

  it(
    'answers a cwd that is a regular file with ENOENT_CWD, from every launcher path',
    { timeout: 20_000 },
    async () => {
      const { client } = await startTestServer();
      const file = path.join(tempDir('framesh-cwd-file-'), 'plain.txt');
      writeFileSync(file, 'x');
      const c = await client();
      await assert.rejects(c.run('true', { cwd: file }), { code: 'ENOENT_CWD' });
      await assert.rejects(c.run('true', { cwd: path.join(file, 'below') }), { code: 'ENOENT_CWD' });
    },
  );
});
