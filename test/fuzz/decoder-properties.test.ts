import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';

const LIMITS = { maxHeaderBytes: 2048, maxBodyBytes: 8192 };
/** Properties are time-boxed: longer in CI, where the suite runs once. */
const TIME_LIMIT_MS = process.env.CI ? 15_000 : 4_000;

const header = fc.record({
  type: fc.constantFrom('data', 'open', 'exit', 'window', 'x-unknown'),
  ch: fc.integer({ min: 1, max: 2 ** 31 }),
  note: fc.string({ maxLength: 40 }),
  unicode: fc.string({ unit: 'grapheme', maxLength: 10 }),
});
const message = fc.record({ header, body: fc.uint8Array({ maxLength: 600 }) });

/** Cuts a buffer at the given sorted offsets. */
function cut(bytes: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

describe('decoder properties', () => {
  it('any split of any sequence of encoded messages decodes to exactly those messages', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 30 }), (messages, offsets) => {
        const stream = Buffer.concat(messages.map((m) => encodeFrameToBuffer(m.header, Buffer.from(m.body))));
        const decoder = new FrameDecoder(LIMITS);
        const decoded = [];
        for (const chunk of cut(stream, offsets)) {
          const { frames, error } = decoder.decode(chunk);
          assert.equal(error, null);
          decoded.push(...frames);
        }
        assert.equal(decoder.end(), null);
        assert.equal(decoded.length, messages.length);
        decoded.forEach((frame, i) => {
          const expected = messages[i]!;
          const { len: _len, ...rest } = frame.header;
          assert.deepEqual(rest, { ...expected.header });
          assert.deepEqual(new Uint8Array(frame.body), expected.body);
        });
      }),
      { interruptAfterTimeLimit: TIME_LIMIT_MS, numRuns: 100_000 },
    );
  });

  it('random bytes never throw, never hang, and never buffer beyond the limits', () => {
    const ceiling = 4 + LIMITS.maxHeaderBytes + LIMITS.maxBodyBytes;
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 3000 }), { maxLength: 8 }), (chunks) => {
        const decoder = new FrameDecoder(LIMITS);
        for (const chunk of chunks) {
          const started = performance.now();
          const { error } = decoder.decode(Buffer.from(chunk));
          assert.ok(performance.now() - started < 1000, 'decode took too long');
          // A decoder holds at most one frame in progress plus the chunk that brought it.
          assert.ok(decoder.bufferedBytes <= ceiling + chunk.length, `buffered ${decoder.bufferedBytes}`);
          if (error) {
            assert.ok(['PROTOCOL', 'LIMIT'].includes(error.code), error.code);
            assert.equal(decoder.bufferedBytes, 0);
            break;
          }
        }
        decoder.end();
      }),
      { interruptAfterTimeLimit: TIME_LIMIT_MS, numRuns: 100_000 },
    );
  });

  it('random bytes behind a valid length prefix are refused cleanly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), (junk) => {
        const prefix = Buffer.alloc(4);
        prefix.writeUInt32BE(junk.length);
        const { error } = new FrameDecoder(LIMITS).decode(Buffer.concat([prefix, Buffer.from(junk)]));
        if (error) assert.ok(['PROTOCOL', 'LIMIT'].includes(error.code));
      }),
      { interruptAfterTimeLimit: TIME_LIMIT_MS, numRuns: 100_000 },
    );
  });
});
