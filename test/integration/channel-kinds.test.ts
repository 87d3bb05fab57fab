import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { OPEN_KINDS } from '../../src/protocol/message-catalog.js';
import { CLIENT_HELLO, rawPeer } from '../helpers/raw-peer.js';
import { startTestServer, type TestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

/** One pattern for every ServerChannel kind (server/server-channel.ts), registered in channel-kinds.ts. */
describe('channel kinds', () => {
  let server: TestServer;
  let root: string;
  before(async () => {
    root = tempDir('framesh-kinds-');
    writeFileSync(path.join(root, 'f.txt'), 'x'.repeat(1000));
    server = await startTestServer({ root });
  });

  it('a listening server offers exactly the kinds of the message table', () => {
    assert.deepEqual([...server.server.channelKinds.keys()].sort(), Object.keys(OPEN_KINDS).sort());
  });

  // Each long-lived kind that is not a put refuses "seek" and "done" alike: a protocol error, the
  // connection closed. (stat and mkdir end with their first answer; later frames for them are dropped.)
  const opens: Array<[string, Record<string, unknown>]> = [
    ['exec', { kind: 'exec', command: 'sleep 5' }],
    ['get', { kind: 'get', path: 'f.txt', window: 1 }],
  ];
  for (const [kind, open] of opens) {
    for (const message of [
      { type: 'seek', ch: 1, offset: 0 },
      { type: 'done', ch: 1 },
    ]) {
      it(`"${message.type}" on a ${kind} channel is refused with PROTOCOL`, async () => {
        const peer = await rawPeer(server.port);
        peer.send(CLIENT_HELLO);
        await peer.next('hello');
        peer.send({ type: 'open', ch: 1, window: 1024, ...open });
        await peer.next('opened');
        peer.send(message);
        const received = await peer.closed();
        const last = received.at(-1);
        assert.equal(last?.type, 'error');
        assert.equal(last?.code, 'PROTOCOL');
        assert.equal(last?.ch, undefined);
        assert.match(String(last?.message), new RegExp(`"${message.type}" on a channel that is not a put`));
      });
    }
  }
});
