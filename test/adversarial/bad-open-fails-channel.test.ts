/**
 * Issue 9, "Where the server and docs/PROTOCOL.md disagree": a bad `open` value (window 0, timeoutMs 0, an
 * unknown kind, a missing command) closed the whole connection, ending every other command on it. It now
 * fails that channel only (PROTOCOL.md §4.1); the id counts as used.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLIENT_HELLO, rawPeer } from '../helpers/raw-peer.js';
import { startTestServer } from '../helpers/servers.js';

describe('an open with a bad value', () => {
  it('gets a channel error while the connection and its other channels go on', { timeout: 20_000 }, async () => {
    const { port } = await startTestServer();
    const peer = await rawPeer(port);
    peer.send(CLIENT_HELLO);
    await peer.next('hello');
    peer.send({ type: 'open', ch: 1, kind: 'exec', command: 'sleep 0.5; echo one', window: 65536 });
    peer.send({ type: 'eof', ch: 1, stream: 'stdin' });
    const bad = [
      { kind: 'exec', command: 'true', window: 0 },
      { kind: 'exec', command: 'true', window: 65536, timeoutMs: 0 },
      { kind: 'teleport', window: 65536 },
      { kind: 'exec', window: 65536 },
      { kind: 'constructor', window: 65536 },
      { kind: 'get', path: '', window: 65536 },
    ];
    bad.forEach((fields, i) => peer.send({ type: 'open', ch: i + 2, ...fields }));
    peer.send({ type: 'ping', id: 1 });
    await peer.next('pong');
    // The pong comes after every open was handled, so all their channel errors are in.
    const errors = peer.received.filter((f) => f.type === 'error');
    assert.deepEqual(
      errors.map((e) => [e.ch, e.code]),
      bad.map((_, i) => [i + 2, 'PROTOCOL']),
    );
    const exit = await peer.next('exit');
    assert.equal(exit.ch, 1);
    assert.equal(exit.code, 0);
    // The refused ids stay used: reopening one is a connection error, as for any id not above the highest.
    peer.send({ type: 'open', ch: 3, kind: 'exec', command: 'true', window: 65536 });
    const frames = await peer.closed();
    assert.equal(frames.filter((f) => f.type === 'error' && f.ch === undefined).at(-1)?.code, 'PROTOCOL');
  });
});
