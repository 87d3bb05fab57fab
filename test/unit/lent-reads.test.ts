/**
 * LentReads (transport/lent-reads.ts): a client socket's reads lent from one reused buffer. Reads that
 * arrive before the connection attaches are kept as copies, and a peer that floods before then (a
 * hostile server while a person reads the host-key prompt) stops the socket at 256 KiB instead of
 * growing the client without bound.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { LentReads, lentReads, registerLentReads } from '../../src/transport/lent-reads.js';

/** What Node does with `onread`: fill the one buffer, call back, and stop reading on `false`. */
function lend(reads: LentReads, bytes: Buffer): boolean {
  const { buffer, callback } = reads.onread;
  bytes.copy(buffer);
  const more = callback(bytes.length, buffer);
  buffer.fill(0xee);
  return more;
}

describe('LentReads', () => {
  it('copies reads that come before a consumer and hands them over, in order, when it attaches', () => {
    const reads = new LentReads();
    assert.equal(lend(reads, Buffer.from('first ')), true);
    assert.equal(lend(reads, Buffer.from('second ')), true);
    const seen: string[] = [];
    reads.attach((chunk) => seen.push(chunk.toString()));
    assert.equal(lend(reads, Buffer.from('third')), true);
    assert.deepEqual(seen, ['first ', 'second ', 'third']);
  });

  it('lends later reads without copying: the consumer sees the one buffer, valid during the call', () => {
    const reads = new LentReads();
    let sameMemory = false;
    reads.attach((chunk) => {
      sameMemory = chunk.buffer === reads.onread.buffer.buffer && chunk.toString() === 'abc';
    });
    lend(reads, Buffer.from('abc'));
    assert.equal(sameMemory, true);
  });

  it('stops the socket after 256 KiB of early reads and restarts it on attach', () => {
    const reads = new LentReads();
    const stream = new PassThrough();
    let resumed = 0;
    stream.resume = () => {
      resumed += 1;
      return stream;
    };
    registerLentReads(stream, reads);
    assert.equal(lentReads(stream), reads);
    const piece = Buffer.alloc(16 * 1024, 7);
    let accepted = 0;
    while (lend(reads, piece)) accepted += 1;
    assert.equal(accepted, 15, 'the 16th 16 KiB read reaches the limit and stops the socket');
    let total = 0;
    reads.attach((chunk) => (total += chunk.length));
    assert.equal(total, 16 * piece.length);
    assert.equal(resumed, 1);
  });
});
