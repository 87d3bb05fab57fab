import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import { DEFAULT_LIMITS } from '../../src/protocol/constants.js';
import { clientHomeWithKey, startSecureServer } from '../helpers/secure.js';
import { startTestServer } from '../helpers/servers.js';
import { waitForGroupGone } from '../helpers/processes.js';

/** Resolves when the socket closes; rejects if that takes longer than ms. */
function closesWithin(socket: net.Socket, ms: number): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function silentConnection(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  // Silent means it writes nothing; it still reads, so it sees the server's close.
  socket.resume();
  await once(socket, 'connect');
  return socket;
}

describe('limits against abuse', () => {
  it('closes a connection that does not authenticate within the grace time', async () => {
    const setup = await startSecureServer({ authGraceMs: 300 });
    const silent = await silentConnection(setup.port);
    const started = performance.now();
    await closesWithin(silent, 5000);
    assert.ok(performance.now() - started >= 250);
  });

  it('refuses connections past maxStartups at once while an authenticated client keeps working', async () => {
    const setup = await startSecureServer({ maxStartups: 3, authGraceMs: 20_000 });
    const client = await setup.client();
    const silent = await Promise.all([1, 2, 3].map(() => silentConnection(setup.port)));
    // Let the server count all three before the fourth arrives.
    await client.run('true');
    const extra = await silentConnection(setup.port);
    await closesWithin(extra, 2000);
    assert.equal((await client.run('echo still here')).stdout, 'still here\n');
    await assert.rejects(setup.client(), (err: Error & { code: string }) => {
      assert.ok(['CONNECTION_RESET', 'CONNECTION_CLOSED'].includes(err.code), err.code);
      assert.match(err.message, /too many not yet authenticated/);
      return true;
    });
    silent.forEach((s) => s.destroy());
    await Promise.all(silent.map((s) => (s.closed ? Promise.resolve() : once(s, 'close'))));
    // Once they are gone, new clients get in again.
    for (let i = 0; i < 50; i++) {
      try {
        await (await setup.client()).close();
        return;
      } catch {
        await new Promise((r) => setImmediate(r));
      }
    }
    assert.fail('new clients were not admitted after the unauthenticated ones left');
  });

  it('delays failed authentications more with each failure from one address', async () => {
    const setup = await startSecureServer({ authFailureDelayMs: 150 });
    const stranger = clientHomeWithKey('stranger');
    const failures: number[] = [];
    setup.server.on('authFailed', (info) => failures.push(info.failures));
    const timed = async (): Promise<number> => {
      const started = performance.now();
      await assert.rejects(setup.client({ home: stranger.home }), { code: 'AUTH_FAILED' });
      return performance.now() - started;
    };
    const first = await timed();
    const second = await timed();
    assert.deepEqual(failures, [1, 2]);
    assert.ok(first >= 140, `first failure answered after ${first} ms`);
    assert.ok(second >= 290, `second failure answered after ${second} ms`);
  });

  it('keepalive closes a silent peer and ends its commands', async () => {
    const { server, port } = await startTestServer({ keepaliveIntervalMs: 100, keepaliveCountMax: 2 });
    const started = new Promise<number>((resolve) => server.once('commandStart', (info) => resolve(info.pid)));
    const ended = new Promise<string | null>((resolve) =>
      server.once('commandEnd', (info) => resolve(info.status?.signal ?? null)),
    );
    const peer = await silentConnection(port);
    peer.write(
      encodeFrameToBuffer({ type: 'hello', version: '1.0', agent: 'silent', capabilities: [], limits: DEFAULT_LIMITS }),
    );
    peer.write(encodeFrameToBuffer({ type: 'open', ch: 1, kind: 'exec', command: 'sleep 30', window: 65536 }));
    const pid = await started;
    // The peer now says nothing more, not even pong.
    await closesWithin(peer, 5000);
    assert.equal(await ended, 'SIGTERM');
    assert.deepEqual(await waitForGroupGone(pid), []);
  });
});
