import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import { validateMessage } from '../../src/protocol/message-validation.js';
import { DEFAULT_LIMITS } from '../../src/protocol/constants.js';

interface Golden {
  name: string;
  hex: string;
  header: { type: string; len?: number };
  bodyHex: string;
}

/** Frames written out byte for byte (PROTOCOL.md §1, §8): any implementation must agree with them. */
const GOLDEN: Golden[] = JSON.parse(readFileSync(new URL('../fixtures/golden-frames.json', import.meta.url), 'utf8'));

describe('golden frames', () => {
  for (const g of GOLDEN) {
    it(`${g.name}: parses`, () => {
      const { frames, error } = new FrameDecoder(DEFAULT_LIMITS).decode(Buffer.from(g.hex, 'hex'));
      assert.equal(error, null);
      assert.equal(frames.length, 1);
      assert.deepEqual(frames[0]?.header, g.header);
      assert.equal(frames[0]?.body.toString('hex'), g.bodyHex);
      validateMessage(frames[0]!.header);
    });
    it(`${g.name}: encodes to the same bytes`, () => {
      const { len: _len, ...header } = g.header;
      assert.equal(encodeFrameToBuffer(header, Buffer.from(g.bodyHex, 'hex')).toString('hex'), g.hex);
    });
  }
  it('holds every frame of the PROTOCOL.md §8 worked example, and decodes that conversation split at every byte', () => {
    const spec = readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8');
    const section = spec.slice(spec.indexOf('## 8.'), spec.indexOf('\n## ', spec.indexOf('## 8.') + 1));
    // Lines look like: C→S [0000005c] {"type":"open",...}; the hello lines elide their limits ("{...}").
    const shown = [...section.matchAll(/^[CS]→[CS] \[[0-9a-f]{8}\] (\{.*?\})(?:  ([0-9a-f ]+))?$/gm)];
    assert.equal(shown.length, 9);
    const conversation: Golden[] = [];
    for (const [, json, bodyText] of shown) {
      const golden = json!.includes('{...}') ? GOLDEN.find((g) => g.name === 'hello') : GOLDEN.find((g) => isDeepStrictEqual(g.header, JSON.parse(json!)));
      assert.ok(golden, `no golden frame for ${json}`);
      assert.equal(golden.bodyHex, (bodyText ?? '').replaceAll(' ', ''));
      conversation.push(golden);
    }
    const stream = Buffer.concat(conversation.map((g) => Buffer.from(g.hex, 'hex')));
    for (let at = 0; at <= stream.length; at++) {
      const decoder = new FrameDecoder(DEFAULT_LIMITS);
      const frames = [...decoder.decode(stream.subarray(0, at)).frames, ...decoder.decode(stream.subarray(at)).frames];
      assert.deepEqual(
        frames.map((f) => [f.header, f.body.toString('hex')]),
        conversation.map((g) => [g.header, g.bodyHex]),
      );
    }
  });

  it('round-trips the whole fixture as one stream', () => {
    const stream = Buffer.concat(GOLDEN.map((g) => Buffer.from(g.hex, 'hex')));
    const { frames } = new FrameDecoder(DEFAULT_LIMITS).decode(stream);
    assert.deepEqual(
      frames.map((f) => f.header),
      GOLDEN.map((g) => g.header),
    );
  });
});
