/**
 * A file root that fills up mid-upload: the upload fails with ENOSPC and leaves nothing behind, for
 * framesh puts and classic uploads alike. The disk holds 1 MiB + 8 KiB and the upload is 1 MiB +
 * 10 000 bytes, so its last write (file reads come in power-of-two chunks from offset 0: the last one
 * starts at 1 MiB) runs out of room part way: write(2) stores 8 KiB and returns a short count — the
 * case a single-write loop lost silently (it ended in SIZE_MISMATCH, found by `npm run soak`).
 * Needs root to mount a tmpfs; says why it skips elsewhere.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { encodeInt32 } from '../../src/classic/classic-format.js';
import { ClassicListener } from '../../src/classic/server/classic-listener.js';
import type { UploadRecord } from '../../src/classic/server/classic-upload-receiver.js';
import { RemoteError } from '../../src/index.js';
import { startTestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

const DISK_BYTES = 1024 * 1024 + 8192;
const UPLOAD_BYTES = 1024 * 1024 + 10_000;

/** Mounts a DISK_BYTES tmpfs at a fresh directory; the reason when it cannot. */
function mountSmallDisk(): { root: string } | { why: string } {
  if (process.getuid?.() !== 0) return { why: 'mounting a tmpfs needs root' };
  const root = path.join(tempDir('framesh-full-disk-'), 'root');
  mkdirSync(root);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK_BYTES}`, 'tmpfs', root], { stdio: 'pipe' });
  } catch (err) {
    return { why: `mount -t tmpfs failed: ${(err as Error).message.split('\n')[0]}` };
  }
  after(() => execFileSync('umount', ['-l', root]));
  return { root };
}

const disk = mountSmallDisk();
const skip = 'why' in disk ? disk.why : false;

describe('a file root that fills up', { skip, concurrency: 1 }, () => {
  const root = 'root' in disk ? disk.root : '';
  const tooBig = randomBytes(UPLOAD_BYTES);
  const local = tempDir('framesh-full-disk-local-');
  writeFileSync(path.join(local, 'too-big.bin'), tooBig);

  it('a framesh put larger than the disk fails ENOSPC and leaves no partial', async () => {
    const client = await (await startTestServer({ root })).client();
    await assert.rejects(
      client.put(path.join(local, 'too-big.bin'), 'too-big.bin'),
      (err: unknown) => err instanceof RemoteError && err.code === 'ENOSPC',
    );
    assert.deepEqual(readdirSync(root), []);
    // The server is fine and the space is free again: a small file still goes.
    writeFileSync(path.join(local, 'small.txt'), 'fits\n');
    await client.put(path.join(local, 'small.txt'), 'small.txt');
    assert.deepEqual(readdirSync(root), ['small.txt']);
  });

  it('a classic upload larger than the disk is recorded as failed, not stored', async () => {
    const listener = new ClassicListener({ format: 'length', root, cwd: root, killGraceMs: 200 });
    after(() => listener.close(200));
    const { port } = await listener.listen(0);
    const header = Buffer.from(
      JSON.stringify({ cmd: 'put', filename: 'classic-too-big.bin', filesize: tooBig.length }),
    );
    const uploaded = once(listener, 'upload') as Promise<[UploadRecord]>;
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    await once(socket, 'connect');
    socket.write(Buffer.concat([encodeInt32(header.length), header, tooBig]));
    const [record] = await uploaded;
    socket.destroy();
    assert.equal(record.outcome, 'failed');
    assert.match(String(record.error?.message), /ENOSPC/);
    assert.deepEqual(
      readdirSync(root).filter((name) => name.startsWith('classic-') || name.includes('.tmp')),
      [],
    );
  });
});
