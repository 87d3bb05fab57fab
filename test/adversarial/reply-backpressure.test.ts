import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { connect } from '../../src/index.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import { startServeProcess, type ServeProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { bytesReadBy, memoryOf, pushUntilStalled, repeatedFrame, silentPeer, whenSteady } from './hostile-client.js';

/**
 * Hardening issue, defects 1 and 3: a peer that sends but never reads must not
 * grow the server. Each server is a real `framesh serve` process, so its
 * resident memory is measured from /proc; each flood is bounded in bytes.
 */
const MiB = 1024 * 1024;
/** Far more than the server may hold for one peer, far less than the unfixed server grew by. */
const GROWTH_LIMIT = 64 * MiB;
const FLOOD_BYTES = 96 * MiB;

const servers: ServeProcess[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGKILL')));
});

async function serve(args: string[]): Promise<ServeProcess> {
  const server = await startServeProcess(args);
  servers.push(server);
  return server;
}

async function echoWorks(port: number): Promise<void> {
  const client = await connect({ host: '127.0.0.1', port, insecure: true, timeoutMs: 10_000 });
  try {
    const result = await client.run('echo still-served');
    assert.equal(result.stdout, 'still-served\n');
  } finally {
    await client.close();
  }
}

describe('hostile clients that never read', () => {
  it('a ping flood after hello, never reading pongs, is not read past a bound; others are served', async () => {
    const server = await serve(['--insecure']);
    const pid = server.child.pid as number;
    const before = memoryOf(pid).peak;
    const peer = await silentPeer(server.port);
    const pushed = await pushUntilStalled(peer, repeatedFrame({ type: 'ping', id: 7 }, 10_000), FLOOD_BYTES, pid);
    const grown = memoryOf(pid).peak - before;
    assert.ok(pushed < FLOOD_BYTES, `the server read all ${pushed} bytes of pings (it must stop reading a peer that reads no pongs)`);
    assert.ok(grown < GROWTH_LIMIT, `server peak RSS grew by ${(grown / MiB).toFixed(1)} MiB`);
    await echoWorks(server.port);
    peer.destroy();
  });

  it('a ping flood before authentication (TLS) is bounded the same way', async () => {
    const server = await serve(['--auth-grace', '60000']);
    const pid = server.child.pid as number;
    const before = memoryOf(pid).peak;
    const peer = await silentPeer(server.port, true);
    const pushed = await pushUntilStalled(peer, repeatedFrame({ type: 'ping', id: 7 }, 10_000), FLOOD_BYTES, pid);
    const grown = memoryOf(pid).peak - before;
    assert.ok(pushed < FLOOD_BYTES, `the server read all ${pushed} bytes of pings before authentication`);
    assert.ok(grown < GROWTH_LIMIT, `server peak RSS grew by ${(grown / MiB).toFixed(1)} MiB`);
    // Another unauthenticated client still gets its hello and pong.
    const other = await silentPeer(server.port, true);
    other.write(encodeFrameToBuffer({ type: 'ping', id: 1 }));
    const decoder = new FrameDecoder({ maxHeaderBytes: 65536, maxBodyBytes: 65536 });
    const types: string[] = [];
    other.resume();
    while (!types.includes('pong')) {
      const [chunk] = (await once(other, 'data')) as [Buffer];
      types.push(...decoder.decode(chunk).frames.map((f) => f.header.type));
    }
    assert.deepEqual(types.slice(0, 2), ['hello', 'pong']);
    other.destroy();
    peer.destroy();
  });

  it('a flood of 1-byte window grants to a command with endless output is bounded', async () => {
    const server = await serve(['--insecure']);
    const pid = server.child.pid as number;
    const before = memoryOf(pid).peak;
    const peer = await silentPeer(server.port);
    peer.write(encodeFrameToBuffer({ type: 'open', ch: 1, kind: 'exec', command: 'cat /dev/zero', window: 1 }));
    // Grants the server cannot use (the socket is full) only add to a number, so it may read them all.
    await pushUntilStalled(peer, repeatedFrame({ type: 'window', ch: 1, bytes: 1 }, 10_000), 24 * MiB, pid);
    const grown = memoryOf(pid).peak - before;
    assert.ok(grown < GROWTH_LIMIT, `server peak RSS grew by ${(grown / MiB).toFixed(1)} MiB`);
    await echoWorks(server.port);
    peer.destroy();
  });

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
    assert.ok(read < size / 4, `the server read ${(read / MiB).toFixed(1)} MiB of the file for a peer that reads nothing`);
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
});
