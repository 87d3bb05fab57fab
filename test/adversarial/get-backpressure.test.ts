import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { bytesReadBy, echoWorks, memoryOf, serve, silentPeer, whenSteady } from './hostile-client.js';

/**
 * Hardening issue, defect 3 (get channels). A peer that sends but never reads must not
 * grow the server. Each server is a real `framesh serve` process, so its
 * resident memory is measured from /proc; each flood is bounded in bytes.
 */
const MiB = 1024 * 1024;
/** Far more than the server may hold for one peer, far less than the unfixed server grew by. */
const GROWTH_LIMIT = 64 * MiB;

describe('a get to a peer that never reads', () => {
  it('a get with a 2^31-1 window and a client that does not read does not buffer the file', async () => {
    const root = tempDir('framesh-adv-root-');
    const size = 256 * MiB;
    writeFileSync(path.join(root, 'big.bin'), '');
    truncateSync(path.join(root, 'big.bin'), size); // sparse: costs no disk, reads as zeros
    const server = await serve(['--insecure', '--root', root]);
    const pid = server.child.pid as number;
    const before = memoryOf(pid).peak;
    const readBefore = bytesReadBy(pid);
    const peer = await silentPeer(server.port);
    peer.write(encodeFrameToBuffer({ type: 'open', ch: 1, kind: 'get', path: 'big.bin', window: 2 ** 31 - 1 }));
    assert.ok(await whenSteady(() => bytesReadBy(pid), 800, 30_000), 'the server never stopped reading the file');
    const read = bytesReadBy(pid) - readBefore;
    const grown = memoryOf(pid).peak - before;
    assert.ok(read < size / 4, `the server read ${(read / MiB).toFixed(1)} MiB of the file for a non-reading peer`);
    assert.ok(grown < GROWTH_LIMIT, `server peak RSS grew by ${(grown / MiB).toFixed(1)} MiB`);
    await echoWorks(server.port);
    // Now read: the whole file arrives, and its hash is right.
    const decoder = new FrameDecoder({ maxHeaderBytes: 65536, maxBodyBytes: 16 * MiB });
    const hash = createHash('sha256');
    let received = 0;
    const done = new Promise<{ sha256: string; size: number }>((resolve, reject) => {
      peer.on('data', (chunk: Buffer) => {
        for (const frame of decoder.decode(chunk).frames) {
          if (frame.header.type === 'data') {
            hash.update(frame.body);
            received += frame.body.length;
          } else if (frame.header.type === 'done') {
            resolve(frame.header as unknown as { sha256: string; size: number });
          } else if (frame.header.type === 'error') {
            reject(new Error(JSON.stringify(frame.header)));
          }
        }
      });
    });
    peer.resume();
    const answer = await done;
    const zeros = createHash('sha256');
    const block = Buffer.alloc(MiB);
    for (let i = 0; i < size / MiB; i++) zeros.update(block);
    assert.equal(received, size);
    assert.equal(answer.size, size);
    assert.equal(answer.sha256, hash.digest('hex'));
    assert.equal(answer.sha256, zeros.digest('hex'));
    peer.destroy();
  });

  it('a get cancelled while the socket is full sends nothing after its CANCELLED error', async () => {
    const root = tempDir('framesh-adv-root-');
    writeFileSync(path.join(root, 'sixteen.bin'), Buffer.alloc(16 * MiB, 1));
    const server = await serve(['--insecure', '--root', root]);
    const pid = server.child.pid as number;
    const peer = await silentPeer(server.port);
    peer.write(encodeFrameToBuffer({ type: 'open', ch: 1, kind: 'get', path: 'sixteen.bin', window: 2 ** 31 - 1 }));
    assert.ok(await whenSteady(() => bytesReadBy(pid), 800, 30_000), 'the server never stopped reading the file');
    peer.write(encodeFrameToBuffer({ type: 'cancel', ch: 1 }));
    peer.write(encodeFrameToBuffer({ type: 'ping', id: 1 }));
    const decoder = new FrameDecoder({ maxHeaderBytes: 65536, maxBodyBytes: 16 * MiB });
    const types: string[] = [];
    let pongs = 0;
    const secondPong = new Promise<void>((resolve) => {
      peer.on('data', (chunk: Buffer) => {
        for (const frame of decoder.decode(chunk).frames) {
          types.push(frame.header.type);
          if (frame.header.type !== 'pong') continue;
          // The first pong means the socket drained; the second comes after anything the drain set off.
          if (++pongs === 1) peer.write(encodeFrameToBuffer({ type: 'ping', id: 2 }));
          else resolve();
        }
      });
    });
    peer.resume();
    await secondPong;
    const final = types.indexOf('error');
    assert.ok(final > 0, `no error frame: ${types.filter((t) => t !== 'data').join(',')}`);
    assert.deepEqual(types.slice(final + 1).filter((t) => t === 'data').length, 0, 'data after the final frame');
    peer.destroy();
  });
});
