import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { validateMessage as validateHeader, validateOpenFields } from '../../src/protocol/message-validation.js';
import { CHANNEL_MESSAGES, CONNECTION_MESSAGES, OPEN_KINDS } from '../../src/protocol/message-catalog.js';
import { compileShape, string } from '../../src/protocol/message-fields.js';
import type { FrameHeader } from '../../src/protocol/frame.js';

/** Both steps a server applies: the header, then (once the channel id is accepted) an open's fields. */
function validateMessage(header: FrameHeader): ReturnType<typeof validateHeader> {
  const message = validateHeader(header);
  if (message.type === 'open') validateOpenFields(message);
  return message;
}

const refuses = (header: FrameHeader, message: RegExp): void =>
  assert.throws(
    () => validateMessage(header),
    (err: Error & { code: string }) => err.code === 'PROTOCOL' && message.test(err.message),
  );

describe('message catalog: one table for types and validation', () => {
  it('a type or kind named after an Object.prototype member is unknown, not accepted', () => {
    // Regression: the validators were plain objects, so "constructor" found Object() and passed unchecked.
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      refuses({ type, ch: 1 }, /unknown message type/);
    }
    for (const kind of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      refuses({ type: 'open', ch: 1, kind, window: 1 }, /unsupported channel kind/);
    }
  });

  it('the stream error lists every stream, file included (it used to omit file)', () => {
    refuses({ type: 'data', ch: 1, stream: 'stdjunk' }, /stream must be "stdout", "stderr", "stdin" or "file"/);
    assert.equal(validateMessage({ type: 'data', ch: 1, stream: 'file', len: 3 }).type, 'data');
  });

  it('checks the optional fields its types promise (exit reason, opened and done file fields)', () => {
    refuses({ type: 'exit', ch: 1, code: null, signal: 'SIGTERM', reason: 'bored' }, /reason must be "timeout"/);
    refuses({ type: 'opened', ch: 1, window: 1, offset: -1 }, /offset must be a non-negative integer/);
    refuses({ type: 'opened', ch: 1, window: 1, prefixSha256: 'zz' }, /prefixSha256 must be 64 hex digits/);
    refuses({ type: 'opened', ch: 1, window: 1, mtimeMs: 1.5 }, /mtimeMs must be an integer/);
    refuses({ type: 'done', ch: 1, stat: 'file' }, /stat must be an object/);
    refuses({ type: 'done', ch: 1, stat: { type: 'fifo', size: 0, mode: 0, mtimeMs: 0 } }, /type must be "file"/);
    refuses({ type: 'done', ch: 1, stat: { type: 'file', size: -1, mode: 0, mtimeMs: 0 } }, /size must be/);
    const stat = { type: 'file', size: 3, mode: 0o644, mtimeMs: -86_400_000 };
    assert.equal(validateMessage({ type: 'done', ch: 1, stat }).type, 'done');
    assert.equal(validateMessage({ type: 'opened', ch: 1, window: 1, size: 3, mode: 420, mtimeMs: -1 }).type, 'opened');
  });

  it('returns the header itself, unknown fields kept (no copy on the data path)', () => {
    const header = { type: 'data', ch: 4, stream: 'stdout', len: 9, future: 1 };
    assert.equal(validateMessage(header), header);
  });

  it('checks fields in table order, so the first error is stable', () => {
    refuses({ type: 'open', kind: 'exec', window: 0 }, /ch must be a positive integer/);
    refuses({ type: 'open', ch: 1, kind: 'nope' }, /window must be a positive integer/);
    refuses({ type: 'open', ch: 1, window: 1, kind: 'put', path: '', size: -1 }, /path must be/);
  });

  it('refuses a field name that is not a plain name (names are written into generated code)', () => {
    assert.throws(() => compileShape({ 'a"]; process.exit(); //': string() }), /not a plain name/);
  });

  it('every message type, channel kind and field in the table is named in docs/PROTOCOL.md', () => {
    const spec = readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8');
    const tables: Array<Readonly<Record<string, object>>> = [CONNECTION_MESSAGES, CHANNEL_MESSAGES, OPEN_KINDS];
    const missing: string[] = [];
    for (const table of tables) {
      for (const [name, shape] of Object.entries(table)) {
        if (!spec.includes(`"${name}"`)) missing.push(name);
        for (const key of Object.keys(shape))
          if (!spec.includes(`"${key}"`) && !spec.includes(`\`${key}\``)) missing.push(`${name}.${key}`);
      }
    }
    assert.deepEqual(missing, []);
  });
});
