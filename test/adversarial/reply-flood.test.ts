import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import { echoWorks, memoryOf, pushUntilStalled, repeatedFrame, serve, silentPeer } from './hostile-client.js';

/**
 * Hardening issue, defect 1 (window updates, errors). A peer that sends but never reads must not
 * grow the server. Each server is a real `framesh serve` process, so its
 * resident memory is measured from /proc; each flood is bounded in bytes.
 */
const MiB = 1024 * 1024;
/** Far more than the server may hold for one peer, far less than the unfixed server grew by. */
const GROWTH_LIMIT = 64 * MiB;
const FLOOD_BYTES = 48 * MiB;

describe('window and open floods from peers that never read', () => {
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

  it('a flood of refused opens, never reading the LIMIT errors, is not read past a bound', async () => {
    const server = await serve(['--insecure', '--max-channels', '1']);
    const pid = server.child.pid as number;
    const before = memoryOf(pid).peak;
    const peer = await silentPeer(server.port);
    peer.write(encodeFrameToBuffer({ type: 'open', ch: 1, kind: 'exec', command: 'sleep 60', window: 1024 }));
    // Channel ids must increase, so each batch carries new ones; every open beyond the first is refused.
    let nextId = 2;
    const batches = (function* () {
      for (;;) {
        const frames: Buffer[] = [];
        for (let i = 0; i < 5000; i++) {
          frames.push(encodeFrameToBuffer({ type: 'open', ch: nextId++, kind: 'stat', path: '.', window: 1 }));
        }
        yield Buffer.concat(frames);
      }
    })();
    const pushed = await pushUntilStalled(peer, () => batches.next().value as Buffer, FLOOD_BYTES, pid);
    const grown = memoryOf(pid).peak - before;
    assert.ok(pushed < FLOOD_BYTES, `the server read all ${pushed} bytes of opens`);
    assert.ok(grown < GROWTH_LIMIT, `server peak RSS grew by ${(grown / MiB).toFixed(1)} MiB`);
    await echoWorks(server.port);
    peer.destroy();
  });
});
