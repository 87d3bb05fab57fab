import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import { echoWorks, memoryOf, pushUntilStalled, repeatedFrame, serve, silentPeer } from './hostile-client.js';

/**
 * Hardening issue, defect 1 (pongs). A peer that sends but never reads must not
 * grow the server. Each server is a real `framesh serve` process, so its
 * resident memory is measured from /proc; each flood is bounded in bytes.
 */
const MiB = 1024 * 1024;
/** Far more than the server may hold for one peer, far less than the unfixed server grew by. */
const GROWTH_LIMIT = 64 * MiB;
const FLOOD_BYTES = 48 * MiB;

describe('ping floods from peers that never read', () => {
  it('a ping flood after hello, never reading pongs, is not read past a bound; others are served', async () => {
    const server = await serve(['--insecure']);
    const pid = server.child.pid as number;
    const before = memoryOf(pid).peak;
    const peer = await silentPeer(server.port);
    const pushed = await pushUntilStalled(peer, repeatedFrame({ type: 'ping', id: 7 }, 10_000), FLOOD_BYTES, pid);
    const grown = memoryOf(pid).peak - before;
    assert.ok(pushed < FLOOD_BYTES, `the server read all ${pushed} bytes of pings from a peer that reads no pongs`);
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
});
