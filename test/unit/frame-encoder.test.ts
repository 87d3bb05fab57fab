import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeDataHead, encodeFrame } from '../../src/protocol/frame-encoder.js';

describe('encodeDataHead', () => {
  it('is byte for byte the head encodeFrame makes of the same data frame', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.constantFrom('stdout', 'stderr', 'stdin', 'file'),
        fc.integer({ min: 1, max: 1024 * 1024 }),
        (ch, stream, len) => {
          const [generic] = encodeFrame({ type: 'data', ch, stream }, Buffer.alloc(len));
          assert.deepEqual(encodeDataHead(ch, stream, len), generic);
        },
      ),
    );
  });
});
