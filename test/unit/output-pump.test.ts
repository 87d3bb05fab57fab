import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough, type Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { FramedConnection } from '../../src/connection/framed-connection.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { SendWindow } from '../../src/protocol/flow-control.js';
import type { Frame } from '../../src/protocol/frame.js';
import { OutputPump } from '../../src/server/exec/output-pump.js';
import { duplexPair } from '../helpers/duplex-pair.js';

/** OutputPump between a source and a real FramedConnection over a duplex pair: window and socket states. */

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(
  windowBytes: number,
  maxChunk = 1024 * 1024,
): {
  conn: FramedConnection;
  peer: Duplex;
  source: PassThrough;
  window: SendWindow;
  pump: OutputPump;
  sent: Buffer[];
} {
  const [ours, peer] = duplexPair({ writableHighWaterMark: 16 * 1024, readableHighWaterMark: 16 * 1024 });
  const conn = new FramedConnection(ours);
  const source = new PassThrough({ highWaterMark: 16 * 1024 });
  const window = new SendWindow(windowBytes);
  const sent: Buffer[] = [];
  const pump = new OutputPump(
    source,
    window,
    conn,
    (chunk) => {
      sent.push(Buffer.from(chunk));
      conn.sendData(1, 'stdout', chunk);
    },
    () => maxChunk,
  );
  return { conn, peer, source, window, pump, sent };
}

function readAll(peer: Duplex): Frame[] {
  const decoder = new FrameDecoder({ maxHeaderBytes: 65536, maxBodyBytes: 16 * 1024 * 1024 });
  const frames: Frame[] = [];
  peer.on('data', (chunk: Buffer) => frames.push(...decoder.decode(chunk).frames));
  return frames;
}

const total = (bufs: readonly Buffer[]): number => bufs.reduce((n, b) => n + b.length, 0);

describe('OutputPump', () => {
  it('sends only what the window allows, pauses the source, and continues byte by byte on grants', async () => {
    const { source, window, pump, sent, peer } = setup(3);
    readAll(peer);
    source.write(Buffer.from('abcdefgh'));
    await turn();
    assert.equal(Buffer.concat(sent).toString(), 'abc');
    assert.equal(pump.heldBytes, 5);
    assert.equal(pump.paused, true);
    for (const expected of ['abcd', 'abcde', 'abcdef', 'abcdefg']) {
      window.grant(1);
      pump.flush();
      assert.equal(Buffer.concat(sent).toString(), expected);
      assert.equal(pump.paused, true);
    }
    window.grant(10);
    pump.flush();
    assert.equal(Buffer.concat(sent).toString(), 'abcdefgh');
    assert.equal(pump.heldBytes, 0);
    assert.equal(pump.paused, false);
    let finished = false;
    void pump.done.then(() => {
      finished = true;
    });
    source.end();
    await pump.done;
    assert.equal(finished, true);
  });

  it('splits at the largest chunk size', async () => {
    const { source, pump, sent, peer } = setup(1000, 4);
    readAll(peer);
    source.write(Buffer.from('0123456789'));
    await turn();
    assert.deepEqual(
      sent.map((b) => b.toString()),
      ['0123', '4567', '89'],
    );
    source.end();
    await pump.done;
  });

  it('stops at a full socket whatever the window, holding at most one source read, and resumes on drain', async () => {
    const { conn, source, pump, sent, peer } = setup(2 ** 31 - 1);
    const chunk = Buffer.alloc(8 * 1024, 1);
    // Write far more than the socket holds; the source must be paused by the pump, not read to the end.
    let accepted = 0;
    const write = (): boolean => {
      accepted++;
      return source.write(chunk);
    };
    while (write() && accepted < 1000);
    for (let i = 0; i < 20; i++) {
      await turn();
      while (!source.writableNeedDrain && accepted < 1000) {
        write();
      }
    }
    assert.equal(conn.writable, false);
    assert.equal(pump.paused, true);
    assert.ok(pump.heldBytes <= chunk.length, `holds ${pump.heldBytes} bytes`);
    const sentWhileFull = total(sent);
    assert.ok(sentWhileFull < 200 * 1024, `sent ${sentWhileFull} bytes into a socket nobody reads`);
    // The peer reads: drain wakes the pump, everything arrives in order.
    const frames = readAll(peer);
    const written = accepted * chunk.length;
    source.end();
    await pump.done;
    while (total(frames.map((f) => f.body)) < written) await once(peer, 'data');
    assert.equal(total(sent), written);
    assert.equal(conn.stream.listenerCount('drain'), 1);
  });

  it('discard() drops held bytes and finishes once the source ends', async () => {
    const { source, pump, sent, peer } = setup(2);
    readAll(peer);
    source.write(Buffer.from('abcdef'));
    await turn();
    assert.equal(pump.heldBytes, 4);
    pump.discard();
    assert.equal(pump.heldBytes, 0);
    source.end(Buffer.from('more'));
    await pump.done;
    assert.equal(Buffer.concat(sent).toString(), 'ab');
  });
});
