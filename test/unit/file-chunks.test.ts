/**
 * FileChunks (server/files): a range of a real file as chunks with room for a frame head before each,
 * their buffers reused once released.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { promises as fs, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DATA_HEAD_ROOM_BYTES } from '../../src/connection/framed-connection.js';
import { FileChunks } from '../../src/server/files/file-chunks.js';
import { tempDir } from '../helpers/temp-dirs.js';

const dir = tempDir('framesh-file-chunks-');
const content = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 31) & 0xff));
const file = path.join(dir, 'data');
writeFileSync(file, content);

async function readAll(chunks: FileChunks, release: boolean): Promise<{ data: Buffer; buffers: Set<ArrayBuffer> }> {
  const parts: Buffer[] = [];
  const buffers = new Set<ArrayBuffer>();
  chunks.on('data', (chunk: Buffer) => {
    assert.ok(chunks.ownsRoom(chunk));
    assert.ok(!chunks.ownsRoom(chunk.subarray(1)), 'a piece of a chunk has no room of its own');
    assert.ok(chunk.byteOffset >= DATA_HEAD_ROOM_BYTES);
    buffers.add(chunk.buffer as ArrayBuffer);
    parts.push(Buffer.from(chunk)); // a copy: the buffer may be read into again once released
    if (release) chunks.release(chunk);
  });
  await once(chunks, 'end');
  return { data: Buffer.concat(parts), buffers };
}

describe('FileChunks', () => {
  it('reads exactly the range asked for, in chunks with room before them', async () => {
    const handle = await fs.open(file, 'r');
    try {
      const { data } = await readAll(new FileChunks(handle, 1234, 9000, 1000), false);
      assert.ok(data.equals(content.subarray(1234, 9000)));
      const { data: none } = await readAll(new FileChunks(handle, 10_000, 10_000, 1000), false);
      assert.equal(none.length, 0);
    } finally {
      await handle.close();
    }
  });

  it('reads into released buffers again, and the bytes stay right', async () => {
    const handle = await fs.open(file, 'r');
    try {
      const { data, buffers } = await readAll(new FileChunks(handle, 0, 10_000, 1000), true);
      assert.ok(data.equals(content));
      assert.ok(buffers.size < 10, `${buffers.size} buffers for 10 chunks: none was reused`);
    } finally {
      await handle.close();
    }
  });
});
