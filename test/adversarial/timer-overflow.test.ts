/**
 * Issue 9 defect 12: a timeout above 2^31-1 ms fired at once (Node's timers overflow and fire after 1 ms),
 * so `timeoutMs: 2^31` ended a command immediately. Every entry now refuses such durations: the wire, the
 * server library, the client library and the classic listener.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connect, createServer } from '../../src/index.js';
import { ClassicListener } from '../../src/classic/server/classic-listener.js';
import { CLIENT_HELLO, rawPeer } from '../helpers/raw-peer.js';
import { startTestServer } from '../helpers/servers.js';

describe('durations beyond 2^31-1 ms', () => {
  it(
    'an open with timeoutMs 2^31 fails that channel (PROTOCOL) instead of ending the command at once',
    { timeout: 20_000 },
    async () => {
      const { port } = await startTestServer();
      const peer = await rawPeer(port);
      peer.send(CLIENT_HELLO);
      await peer.next('hello');
      peer.send({
        type: 'open',
        ch: 1,
        kind: 'exec',
        command: 'sleep 0.3; echo survived',
        timeoutMs: 2 ** 31,
        window: 65536,
      });
      peer.send({ type: 'eof', ch: 1, stream: 'stdin' });
      const error = await peer.next('error');
      assert.equal(error.code, 'PROTOCOL');
      assert.equal(error.ch, 1);
      assert.match(String(error.message), /timeoutMs/);
      // The largest allowed value runs the command to its end.
      peer.send({
        type: 'open',
        ch: 2,
        kind: 'exec',
        command: 'sleep 0.3; echo survived',
        timeoutMs: 2 ** 31 - 1,
        window: 65536,
      });
      peer.send({ type: 'eof', ch: 2, stream: 'stdin' });
      const exit = await peer.next('exit');
      assert.equal(exit.ch, 2);
      assert.equal(exit.code, 0);
      assert.equal(exit.reason, undefined);
      peer.socket.destroy();
    },
  );

  it('the libraries refuse them before arming a timer (INVALID_OPTION)', async () => {
    for (const key of [
      'authGraceMs',
      'keepaliveIntervalMs',
      'maxTimeoutMs',
      'killGraceMs',
      'authFailureDelayMs',
    ] as const) {
      assert.throws(() => createServer({ insecure: true, [key]: 2 ** 31 }), { code: 'INVALID_OPTION' }, key);
      assert.throws(() => createServer({ insecure: true, [key]: -1 }), { code: 'INVALID_OPTION' }, key);
    }
    assert.throws(() => new ClassicListener({ timeoutMs: 2 ** 32 }), { code: 'INVALID_OPTION' });
    await assert.rejects(connect({ insecure: true, port: 1, timeoutMs: 2 ** 31 }), { code: 'INVALID_OPTION' });
    const { server, port } = await startTestServer();
    assert.throws(() => server.close(2 ** 31), { code: 'INVALID_OPTION' });
    const client = await connect({ insecure: true, port });
    try {
      assert.throws(() => client.exec('true', { timeoutMs: 2 ** 31 }), { code: 'INVALID_OPTION' });
      assert.equal((await client.run('echo ok', { timeoutMs: 2 ** 31 - 1 })).stdout, 'ok\n');
    } finally {
      await client.close();
    }
  });
});
