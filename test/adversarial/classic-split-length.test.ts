/**
 * Issue 9 defect 15: an upload whose 4-byte length arrived split over two reads was taken as a command,
 * and every later read of the file as one more command: file content ran as shell commands. Now a read
 * of 1-3 bytes that may begin a length waits briefly for the rest (docs/CLASSIC.md, "Uploads").
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeInt32 } from '../../src/classic/classic-format.js';
import { ClassicListener } from '../../src/classic/server/classic-listener.js';
import type { UploadRecord } from '../../src/classic/server/classic-upload-receiver.js';
import { tempDir } from '../helpers/temp-dirs.js';

const listeners: ClassicListener[] = [];
after(async () => {
  await Promise.all(listeners.map((l) => l.close(200)));
});

async function start(root: string): Promise<{ listener: ClassicListener; port: number }> {
  const listener = new ClassicListener({ format: 'length', root, cwd: root, killGraceMs: 200 });
  listeners.push(listener);
  const { port } = await listener.listen(0);
  return { listener, port };
}

/** Writes `bytes` and resolves once the kernel has them (the peer then reads them apart from what follows). */
function writeApart(socket: net.Socket, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => socket.write(bytes, () => resolve()));
}

describe('classic upload length split over reads', () => {
  for (const cut of [1, 2, 3]) {
    it(
      `stores the file when the length arrives as ${cut} + ${4 - cut} bytes, and runs none of it`,
      { timeout: 20_000 },
      async () => {
        const root = tempDir('framesh-classic-split-');
        const { listener, port } = await start(root);
        const marker = path.join(root, 'ran-as-command');
        const content = Buffer.from(`touch ${marker}\n`);
        const header = Buffer.from(JSON.stringify({ cmd: 'put', filename: 'payload.sh', filesize: content.length }));
        const length = encodeInt32(header.length);
        const uploaded = once(listener, 'upload') as Promise<[UploadRecord]>;
        const socket = net.connect({ host: '127.0.0.1', port });
        socket.on('error', () => {});
        await once(socket, 'connect');
        await writeApart(socket, length.subarray(0, cut));
        // Long enough for the server to take the first bytes as a read of their own, well inside its wait.
        await sleep(30);
        await writeApart(socket, length.subarray(cut));
        await writeApart(socket, header);
        await writeApart(socket, content);
        const [record] = await uploaded;
        assert.equal(record.outcome, 'stored');
        assert.deepEqual(readFileSync(path.join(root, 'payload.sh')), content);
        assert.equal(existsSync(marker), false);
        socket.destroy();
      },
    );
  }

  it('still runs a 2-byte command (after the short wait) and a 3-byte one at once', { timeout: 20_000 }, async () => {
    const root = tempDir('framesh-classic-split-');
    const { port } = await start(root);
    const socket = net.connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    for (const command of ['id', 'pwd']) {
      const reply = new Promise<Buffer>((resolve) => {
        let got = Buffer.alloc(0);
        const onData = (chunk: Buffer): void => {
          got = Buffer.concat([got, chunk]);
          if (got.length >= 4 && got.length >= 4 + got.readInt32LE(0)) {
            socket.off('data', onData);
            resolve(got.subarray(4));
          }
        };
        socket.on('data', onData);
      });
      socket.write(command);
      const body = (await reply).toString();
      assert.ok(command === 'pwd' ? body.includes(root) : body.includes('uid='), body);
    }
    socket.destroy();
  });
});
