import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CLIENT_HELLO, rawPeer } from '../helpers/raw-peer.js';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import { startTestServer } from '../helpers/servers.js';

/** Time-boxed like the decoder properties: longer in CI, where the suite runs once. */
const TIME_LIMIT_MS = process.env.CI ? 10_000 : 3_000;
const HELLO = encodeFrameToBuffer(CLIENT_HELLO);

/**
 * Random bytes at a real server, raw or after a valid hello: every connection
 * ends (error frame and close, or close once we half-close), the server never
 * crashes, and a well-behaved client is served afterwards.
 */
describe('server fuzz', () => {
  it('random input never crashes or wedges the server', async () => {
    const { server, port, client } = await startTestServer();
    let connections = 0;
    server.on('connection', () => (connections += 1));
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.uint8Array({ minLength: 1, maxLength: 2000 }), async (greet, junk) => {
        const peer = await rawPeer(port);
        peer.write(greet ? Buffer.concat([HELLO, Buffer.from(junk)]) : Buffer.from(junk));
        // A partial frame waits for more input; ending ours makes it UNEXPECTED_EOF on the server side.
        peer.socket.end();
        const received = await peer.closed(5000);
        const errors = received.filter((h) => h.type === 'error' && h.ch === undefined);
        assert.ok(errors.length <= 1, `more than one connection error: ${JSON.stringify(errors)}`);
        if (errors[0]) assert.equal(received.at(-1), errors[0], 'a frame followed the connection error');
      }),
      { interruptAfterTimeLimit: TIME_LIMIT_MS, numRuns: 100_000 },
    );
    assert.ok(connections > 10, `only ${connections} connections tried`);
    const c = await client();
    assert.equal((await c.run('echo still serving')).stdout, 'still serving\n');
  });
});
