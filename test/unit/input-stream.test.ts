import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { InputStream } from '../../src/client/input-stream.js';
import { FramedConnection } from '../../src/connection/framed-connection.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { SendWindow } from '../../src/protocol/flow-control.js';
import { duplexPair } from '../helpers/duplex-pair.js';

/** The client's stdin/put writer respects the socket as well as the window (issue 11). */
describe('InputStream over a FramedConnection', () => {
  it('holds writes while the socket is full and sends everything, in order, once the peer reads', async () => {
    const [ours, peer] = duplexPair();
    const conn = new FramedConnection(ours);
    const window = new SendWindow(2 ** 31 - 1);
    const stdin = new InputStream({
      window,
      maxChunkBytes: () => 32 * 1024,
      isOpen: () => true,
      sendData: (chunk) => conn.sendData(1, 'stdin', chunk),
      sendEof: () => conn.send({ type: 'eof', ch: 1, stream: 'stdin' }),
      get writable() {
        return conn.writable;
      },
      whenWritable: (wake) => conn.whenWritable(wake),
    });
    stdin.markOpen();
    const payload = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
    let finished = false;
    stdin.end(payload, () => {
      finished = true;
    });
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(finished, false);
    const queued = conn.writableLength;
    assert.ok(queued <= 16 * 1024 + 32 * 1024 + 100, `queued ${queued} bytes on a socket nobody reads`);
    const decoder = new FrameDecoder({ maxHeaderBytes: 65536, maxBodyBytes: 1024 * 1024 });
    const bodies: Buffer[] = [];
    let eof = false;
    peer.on('data', (chunk: Buffer) => {
      for (const f of decoder.decode(chunk).frames) {
        if (f.header.type === 'data') bodies.push(f.body);
        else if (f.header.type === 'eof') eof = true;
      }
    });
    while (!eof) await once(peer, 'data');
    assert.equal(finished, true);
    assert.ok(Buffer.concat(bodies).equals(payload));
  });
});
