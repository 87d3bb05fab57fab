import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { FramedConnection, MAX_DATA_FRAME_BYTES } from '../../src/connection/framed-connection.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import type { Frame } from '../../src/protocol/frame.js';
import type { Message } from '../../src/protocol/messages.js';
import { duplexPair } from '../helpers/duplex-pair.js';

/** In-memory tests of FramedConnection's state machine over a duplex pair (issue 11). */

const HWM = 16 * 1024;

function pair(): { conn: FramedConnection; peer: Duplex } {
  const [ours, peer] = duplexPair({ writableHighWaterMark: HWM, readableHighWaterMark: HWM });
  return { conn: new FramedConnection(ours), peer };
}

/** Everything the peer end reads, decoded. */
function reader(peer: Duplex): { frames: Frame[]; start(): void } {
  const decoder = new FrameDecoder({ maxHeaderBytes: 65536, maxBodyBytes: 16 * 1024 * 1024 });
  const frames: Frame[] = [];
  return {
    frames,
    start() {
      peer.on('data', (chunk: Buffer) => frames.push(...decoder.decode(chunk).frames));
    },
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('FramedConnection over a duplex pair', () => {
  it('decodes frames fed one byte at a time, in order, bodies intact', async () => {
    const { conn, peer } = pair();
    const got: Array<[Message, Buffer]> = [];
    conn.on('message', (m, b) => got.push([m, b]));
    const bytes = Buffer.concat([
      encodeFrameToBuffer({ type: 'ping', id: 1 }),
      encodeFrameToBuffer({ type: 'data', ch: 1, stream: 'stdin' }, Buffer.from('héllo')),
      encodeFrameToBuffer({ type: 'eof', ch: 1, stream: 'stdin' }),
    ]);
    for (const byte of bytes) {
      peer.write(Buffer.of(byte));
      await turn();
    }
    assert.deepEqual(
      got.map(([m]) => m.type),
      ['ping', 'data', 'eof'],
    );
    assert.equal((got[1] as [Message, Buffer])[1].toString(), 'héllo');
  });

  it('send() reports the socket filling; whenWritable writers are woken by one drain listener', async () => {
    const { conn, peer } = pair();
    const stream = conn.stream;
    assert.equal(stream.listenerCount('drain'), 1);
    assert.equal(conn.writable, true);
    assert.equal(conn.sendData(1, 'stdout', Buffer.alloc(1000)), true);
    // The peer reads nothing: its buffer fills, then ours.
    let writable = true;
    let sent = 0;
    while (writable && sent < 100) {
      writable = conn.sendData(1, 'stdout', Buffer.alloc(4096));
      sent++;
    }
    assert.equal(writable, false, 'send never reported a full socket');
    assert.equal(conn.writable, false);
    const woken: number[] = [];
    for (let i = 0; i < 50; i++) conn.whenWritable(() => woken.push(i));
    assert.equal(stream.listenerCount('drain'), 1, 'waiters must not add drain listeners');
    await turn();
    assert.deepEqual(woken, [], 'woken before the socket drained');
    const r = reader(peer);
    r.start();
    await once(stream, 'drain');
    assert.equal(woken.length, 50);
    assert.equal(conn.writable, true);
    // Registering while writable wakes on the next turn, not synchronously.
    let soon = false;
    conn.whenWritable(() => {
      soon = true;
    });
    assert.equal(soon, false);
    await turn();
    assert.equal(soon, true);
  });

  it("a terminal's frame leaves at once with what was gathered, unless bytes are queued before it", async () => {
    const { conn, peer } = pair();
    conn.sendData(1, 'stdout', Buffer.from('a'));
    assert.equal(peer.readableLength, 0, 'a small frame waits for the loop round');
    conn.sendData(1, 'stdout', Buffer.from('b'), true);
    assert.ok(peer.readableLength > 0, 'the interactive frame did not leave at once');
    const first = new FrameDecoder({ maxHeaderBytes: 65536, maxBodyBytes: 65536 }).decode(peer.read() as Buffer);
    assert.deepEqual(
      first.frames.map((f) => f.body.toString()),
      ['a', 'b'],
      'the interactive frame did not leave at once, after the one gathered before it',
    );
    // The peer reads nothing: fill its buffer and then ours, so the transport holds bytes unsent.
    while (conn.stream.writableLength === 0) conn.sendData(1, 'stdout', Buffer.alloc(8192));
    const queued = conn.stream.writableLength;
    conn.sendData(1, 'stdout', Buffer.from('c'), true);
    assert.equal(conn.stream.writableLength, queued, 'behind queued bytes it should join the batch');
    assert.ok(conn.writableLength > queued, 'the frame was not gathered');
    const r = reader(peer);
    r.start();
    for (let turns = 0; r.frames.at(-1)?.body.toString() !== 'c'; turns++) {
      assert.ok(turns < 1000, 'the gathered frame never arrived, or not last');
      await turn();
    }
  });

  it('stops reading a peer that does not read its replies, then answers everything once it reads', async () => {
    const { conn, peer } = pair();
    let answered = 0;
    conn.on('message', (m) => {
      if (m.type !== 'ping') return;
      conn.send({ type: 'pong', id: m.id });
      answered++;
    });
    const pings = 100_000;
    const flood = Buffer.concat(Array.from({ length: pings }, (_, i) => encodeFrameToBuffer({ type: 'ping', id: i })));
    peer.write(flood);
    // Let the connection read until it pauses.
    for (let i = 0; i < 50 && !conn.readingPaused; i++) await turn();
    assert.equal(conn.readingPaused, true, 'reading did not pause');
    const dataFrame = Math.min(conn.peerLimits.maxBodyBytes, MAX_DATA_FRAME_BYTES);
    const ceiling = conn.stream.writableHighWaterMark + dataFrame + 64 * 1024;
    assert.ok(conn.writableLength <= ceiling + 64, `queued ${conn.writableLength} bytes of replies, above ${ceiling}`);
    const answeredWhilePaused = answered;
    for (let i = 0; i < 10; i++) await turn();
    assert.equal(answered, answeredWhilePaused, 'frames were handled while paused');
    assert.ok(answered < pings);
    // The peer reads: every ping gets its pong, in order, and reading resumes.
    const r = reader(peer);
    r.start();
    while (r.frames.length < pings) await once(peer, 'data');
    assert.equal(answered, pings);
    assert.deepEqual(
      r.frames.slice(0, 3).map((f) => f.header.id),
      [0, 1, 2],
    );
    assert.equal((r.frames.at(-1) as Frame).header.id, pings - 1);
    assert.equal(conn.readingPaused, false);
  });

  it('a bad frame fails the connection with an error frame and one close', async () => {
    const { conn, peer } = pair();
    const r = reader(peer);
    r.start();
    const closes: unknown[] = [];
    conn.on('close', (e) => closes.push(e));
    const closed = once(conn, 'close');
    // As a socket without half-open does: the peer ends its side when ours ended.
    peer.on('end', () => peer.end());
    peer.write(encodeFrameToBuffer({ type: 'no-such-type' }));
    await closed;
    assert.equal(closes.length, 1);
    assert.equal((closes[0] as { code: string }).code, 'PROTOCOL');
    assert.equal(r.frames[0]?.header.type, 'error');
    assert.equal(r.frames[0]?.header.code, 'PROTOCOL');
    assert.equal(conn.writable, false);
    assert.equal(conn.send({ type: 'ping', id: 1 }), false);
    let woken = false;
    conn.whenWritable(() => {
      woken = true;
    });
    await turn();
    assert.equal(woken, false, 'a closed connection woke a writer');
  });
});
