import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import type { Frame } from '../../src/protocol/frame.js';
import { DEFAULT_LIMITS } from '../../src/protocol/constants.js';
import fc from 'fast-check';

const LIMITS = { maxHeaderBytes: 1024, maxBodyBytes: 4096 };

const sample = (): Buffer =>
  Buffer.concat([
    encodeFrameToBuffer({ type: 'open', ch: 1, kind: 'exec', command: 'echo hi', window: 65536 }),
    encodeFrameToBuffer({ type: 'data', ch: 1, stream: 'stdout' }, Buffer.from('hello\n')),
    encodeFrameToBuffer({ type: 'exit', ch: 1, code: 0, signal: null }),
  ]);

function decodeAll(decoder: FrameDecoder, chunks: Buffer[]): Frame[] {
  const frames: Frame[] = [];
  for (const chunk of chunks) {
    const result = decoder.decode(chunk);
    assert.equal(result.error, null);
    frames.push(...result.frames);
  }
  return frames;
}

function summary(frames: Frame[]): string[] {
  return frames.map((f) => `${f.header.type}:${f.body.toString('hex')}`);
}

describe('FrameDecoder', () => {
  const whole = summary(decodeAll(new FrameDecoder(LIMITS), [sample()]));

  it('decodes many frames from one chunk', () => {
    assert.deepEqual(whole, ['open:', 'data:68656c6c6f0a', 'exit:']);
  });

  it('hands out a body inside one chunk as a slice of that chunk, without a copy', () => {
    const chunk = sample();
    const at = chunk.indexOf('hello');
    const [, data] = decodeAll(new FrameDecoder(LIMITS), [chunk]) as [Frame, Frame, Frame];
    assert.equal(data.body.toString(), 'hello\n');
    chunk[at] = 0x6a; // 'j': the body is a view of the chunk, so it changes too
    assert.equal(data.body.toString(), 'jello\n');
    // A body split over two chunks is copied once into its own buffer.
    const other = sample();
    const split = decodeAll(new FrameDecoder(LIMITS), [other.subarray(0, at + 2), other.subarray(at + 2)]);
    other[at] = 0x6a;
    assert.equal(split[1]?.body.toString(), 'hello\n');
  });

  it('decodes one byte at a time', () => {
    const bytes = sample();
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    assert.deepEqual(summary(decodeAll(new FrameDecoder(LIMITS), chunks)), whole);
  });

  it('decodes a stream split at every offset', () => {
    const bytes = sample();
    for (let at = 0; at <= bytes.length; at++) {
      const decoder = new FrameDecoder(LIMITS);
      assert.deepEqual(
        summary(decodeAll(decoder, [bytes.subarray(0, at), bytes.subarray(at)])),
        whole,
        `split at ${at}`,
      );
      assert.equal(decoder.bufferedBytes, 0);
    }
  });

  it('refuses a header length over the limit as soon as the 4-byte prefix is read', () => {
    const decoder = new FrameDecoder(LIMITS);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(0xffffffff);
    const { frames, error } = decoder.decode(prefix);
    assert.deepEqual(frames, []);
    assert.equal(error?.code, 'LIMIT');
    assert.match(error?.message ?? '', /4294967295 bytes exceeds the limit of 1024/);
    assert.equal(decoder.bufferedBytes, 0);
  });

  it('refuses a prefix announcing ~4 GiB at once, fed alone, holding nothing', () => {
    const decoder = new FrameDecoder(DEFAULT_LIMITS);
    const { error } = decoder.decode(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    assert.equal(error?.code, 'LIMIT');
    assert.equal(decoder.bufferedBytes, 0);
    // Stays failed: later valid input is not decoded.
    assert.equal(decoder.decode(sample()).frames.length, 0);
    assert.equal(decoder.end()?.code, 'LIMIT');
  });

  it('accepts a header of exactly maxHeaderBytes and a body of exactly maxBodyBytes', () => {
    const body = Buffer.alloc(LIMITS.maxBodyBytes, 7);
    const padded = { type: 'data', ch: 1, stream: 'stdout', len: body.length, pad: '' };
    padded.pad = 'x'.repeat(LIMITS.maxHeaderBytes - Buffer.byteLength(JSON.stringify(padded)));
    const json = Buffer.from(JSON.stringify(padded));
    assert.equal(json.length, LIMITS.maxHeaderBytes);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(json.length);
    const { frames, error } = new FrameDecoder(LIMITS).decode(Buffer.concat([prefix, json, body]));
    assert.equal(error, null);
    assert.equal(frames[0]?.body.length, LIMITS.maxBodyBytes);
    const over = new FrameDecoder(LIMITS).decode(
      withPrefix(JSON.stringify({ type: 'data', len: LIMITS.maxBodyBytes + 1 })),
    );
    assert.equal(over.error?.code, 'LIMIT');
  });

  it('refuses a body length over the limit before any body byte arrives', () => {
    const decoder = new FrameDecoder(LIMITS);
    // The encoder derives len from the body, so a lying header is written by hand.
    const json = Buffer.from(JSON.stringify({ type: 'data', ch: 1, stream: 'stdout', len: 999_999_999 }));
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(json.length);
    const { error } = decoder.decode(Buffer.concat([prefix, json]));
    assert.equal(error?.code, 'LIMIT');
    assert.equal(decoder.bufferedBytes, 0);
  });

  const malformed: Array<[string, Buffer, RegExp]> = [
    ['a zero header length', Buffer.from([0, 0, 0, 0]), /header length is 0/],
    ['a header that is not JSON', withPrefix('{not json'), /not valid JSON/],
    ['a header that is a JSON array', withPrefix('[1,2]'), /must be a JSON object/],
    ['a header that is JSON null', withPrefix('null'), /must be a JSON object/],
    ['a header that is a JSON string', withPrefix('"hello"'), /must be a JSON object/],
    ['a header that is a JSON number', withPrefix('42'), /must be a JSON object/],
    ['a header with an empty type', withPrefix('{"type":""}'), /no string "type"/],
    ['a header with a numeric type', withPrefix('{"type":7}'), /no string "type"/],
    [
      'a header that is not UTF-8 JSON',
      Buffer.concat([Buffer.from([0, 0, 0, 2]), Buffer.from([0xff, 0xfe])]),
      /not valid UTF-8/,
    ],
    [
      'a JSON header with invalid UTF-8 in a string',
      withPrefix('{"type":"x","a":"\xc3"}', 'latin1'),
      /not valid UTF-8/,
    ],
    ['a header that is not JSON', withPrefix('{type}'), /not valid JSON/],
    ['a header without a type', withPrefix('{"ch":1}'), /no string "type"/],
    ['a negative len', withPrefix('{"type":"data","len":-1}'), /non-negative integer/],
    ['a fractional len', withPrefix('{"type":"data","len":1.5}'), /non-negative integer/],
    ['a string len', withPrefix('{"type":"data","len":"5"}'), /non-negative integer/],
  ];
  for (const [name, bytes, message] of malformed) {
    it(`reports PROTOCOL for ${name} and stays failed`, () => {
      const decoder = new FrameDecoder(LIMITS);
      const first = decoder.decode(bytes);
      assert.equal(first.error?.code, 'PROTOCOL');
      assert.match(first.error?.message ?? '', message);
      const again = decoder.decode(sample());
      assert.equal(again.error, first.error);
      assert.deepEqual(again.frames, []);
    });
  }

  it('returns frames completed before an error in the same chunk', () => {
    const decoder = new FrameDecoder(LIMITS);
    const { frames, error } = decoder.decode(Buffer.concat([sample(), withPrefix('oops')]));
    assert.equal(frames.length, 3);
    assert.equal(error?.code, 'PROTOCOL');
  });

  it('reports UNEXPECTED_EOF when input ends inside a frame, and nothing at a boundary', () => {
    const bytes = sample();
    const clean = new FrameDecoder(LIMITS);
    clean.decode(bytes);
    assert.equal(clean.end(), null);
    for (const cut of [1, 4, 10, bytes.length - 1]) {
      const decoder = new FrameDecoder(LIMITS);
      decoder.decode(bytes.subarray(0, cut));
      assert.equal(decoder.end()?.code, 'UNEXPECTED_EOF', `cut at ${cut}`);
    }
  });
});

describe('FrameDecoder with lent chunks (a socket reading into one reused buffer)', () => {
  /** Decodes `bytes` cut at `cuts`, each piece lent in one buffer that is overwritten after every call. */
  function decodeLent(bytes: Buffer, cuts: number[], limits = LIMITS): { frames: Frame[]; decoder: FrameDecoder } {
    const decoder = new FrameDecoder(limits, { transientChunks: true });
    const lent = Buffer.alloc(bytes.length);
    const frames: Frame[] = [];
    let from = 0;
    for (const to of [...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length]) {
      if (to <= from) continue;
      const piece = lent.subarray(0, to - from);
      bytes.copy(piece, 0, from, to);
      const result = decoder.decode(piece);
      assert.equal(result.error, null);
      frames.push(...result.frames);
      lent.fill(0xaa);
      from = to;
    }
    return { frames, decoder };
  }

  it('keeps every frame intact however the input is cut, though each chunk is overwritten after the call', () => {
    const frame = fc.record({
      ch: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      body: fc.uint8Array({ minLength: 0, maxLength: 3000 }),
      note: fc.string({ maxLength: 40 }),
    });
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(30_000)), (specs, cuts) => {
        const encoded = specs.map((f) =>
          encodeFrameToBuffer({ type: 'data', ch: f.ch, stream: 'stdout', note: f.note }, Buffer.from(f.body)),
        );
        const bytes = Buffer.concat(encoded);
        const { frames, decoder } = decodeLent(bytes, cuts);
        assert.deepEqual(
          frames.map((f) => encodeFrameToBuffer(f.header as { type: string }, f.body).toString('hex')),
          encoded.map((b) => b.toString('hex')),
        );
        assert.equal(decoder.bufferedBytes, 0);
        assert.equal(decoder.end(), null);
      }),
      { numRuns: 300 },
    );
  });

  it('counts a body under way as buffered, and ends with UNEXPECTED_EOF inside it', () => {
    const bytes = encodeFrameToBuffer({ type: 'data', ch: 1, stream: 'stdout' }, Buffer.alloc(2000, 1));
    const { decoder } = decodeLent(bytes.subarray(0, bytes.length - 500), [40, 900]);
    assert.equal(decoder.bufferedBytes, 1500);
    assert.equal(decoder.end()?.code, 'UNEXPECTED_EOF');
  });

  it('refuses an announced body above the limit before allocating for it', () => {
    const decoder = new FrameDecoder(LIMITS, { transientChunks: true });
    const head = withPrefix(JSON.stringify({ type: 'data', ch: 1, stream: 'stdout', len: LIMITS.maxBodyBytes + 1 }));
    assert.equal(decoder.decode(head).error?.code, 'LIMIT');
  });
});

function withPrefix(text: string, encoding: BufferEncoding = 'utf8'): Buffer {
  const json = Buffer.from(text, encoding);
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(json.length);
  return Buffer.concat([prefix, json]);
}
