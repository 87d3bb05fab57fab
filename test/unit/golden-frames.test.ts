import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import { validateMessage, validateOpenFields } from '../../src/protocol/message-validation.js';
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
    const shown = [...section.matchAll(/^[CS]→[CS] \[([0-9a-f]{8})\] (\{.*?\})(?: {2}([0-9a-f ]+))?$/gm)];
    assert.equal(shown.length, 9);
    const conversation: Golden[] = [];
    for (const [, lengthHex, json, bodyText] of shown) {
      const golden = json!.includes('{...}')
        ? GOLDEN.find((g) => g.name === 'hello')
        : GOLDEN.find((g) => isDeepStrictEqual(g.header, JSON.parse(json!)));
      assert.ok(golden, `no golden frame for ${json}`);
      assert.equal(golden.bodyHex, (bodyText ?? '').replaceAll(' ', ''));
      // The [H] shown is the header length the frame really has (issue 9: §8 had four of them wrong).
      assert.equal(lengthHex, golden.hex.slice(0, 8), `header length shown for ${json}`);
      if (!json!.includes('{...}'))
        assert.equal(parseInt(lengthHex!, 16), Buffer.byteLength(json!), `length of ${json}`);
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

  it('parses and validates every JSON message example in PROTOCOL.md, and round-trips it through the codec', () => {
    const examples = specExamples(readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8'));
    assert.ok(examples.length >= 30, `only ${examples.length} examples found`);
    for (const text of examples) {
      if (DESCRIPTIVE.has(text)) continue;
      let header: { type: string; len?: number };
      try {
        header = JSON.parse(withSampleValues(text));
      } catch (err) {
        assert.fail(
          `PROTOCOL.md example is not JSON even with sample values for its placeholders: ${text} (${String(err)})`,
        );
      }
      assert.doesNotThrow(() => {
        const message = validateMessage(header);
        if (message.type === 'open') validateOpenFields(message);
      }, `PROTOCOL.md example does not validate: ${text}`);
      const { len, ...fields } = header;
      const body = Buffer.alloc(len ?? 0, 0x61);
      const { frames, error } = new FrameDecoder(DEFAULT_LIMITS).decode(encodeFrameToBuffer(fields, body));
      assert.equal(error, null);
      assert.deepEqual(frames[0]?.header, len ? { ...fields, len } : fields);
    }
  });
});

/** Mentions of a message by type that are not meant as complete examples. */
const DESCRIPTIVE = new Set(['{"type":"done",...}']);

/**
 * Every message example in the spec: each ```json block (one or more objects, possibly over several
 * lines) and every inline code span that starts with `{"type"`.
 */
function specExamples(spec: string): string[] {
  const examples: string[] = [];
  for (const [, block] of spec.matchAll(/```json\n([\s\S]*?)```/g)) {
    let pending = '';
    for (const line of block!.split('\n')) {
      pending += line;
      if (pending.trim() === '') continue;
      try {
        JSON.parse(withSampleValues(pending));
        examples.push(pending.trim());
        pending = '';
      } catch {
        // The object continues on the next line.
      }
    }
    assert.equal(pending.trim(), '', `unparsable JSON block in PROTOCOL.md: ${pending}`);
  }
  for (const [, span] of spec.matchAll(/`(\{"type"[^`]*)`/g)) examples.push(span!);
  return examples;
}

/** The spec writes N, S, HEX and … where a value varies; put a valid value of that kind in their place. */
function withSampleValues(text: string): string {
  return text
    .replace(/:(N|S)(?=[,}])/g, ':0')
    .replace(/:HEX(?=[,}])/g, `:"${'ab'.repeat(32)}"`)
    .replace(/:…(?=[,}])/g, ':0')
    .replaceAll('{...}', '{}');
}
