/**
 * The pure parts of the classic listener: how a request's first bytes are
 * classified (docs/CLASSIC.md, "Uploads"), upload base names, and reply
 * headers byte for byte as Python's struct and json make them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { encodeInt32 } from '../../src/classic/classic-format.js';
import { classifyRequest } from '../../src/classic/server/classic-request.js';
import { uploadBaseName } from '../../src/classic/server/classic-upload-receiver.js';
import { replyHeader } from '../../src/classic/server/classic-reply.js';

const utf8 = (bytes: Buffer): string => bytes.toString('utf8');

/** What a classic client sends for an upload: struct.pack('i', L) + header + content. */
function uploadRequest(header: object, content: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  return Buffer.concat([encodeInt32(json.length), json, content]);
}

describe('classifyRequest', () => {
  test('an upload split at every byte is "more" until its header is complete, then an upload', () => {
    const request = uploadRequest({ cmd: 'put', filename: 'a.txt', filesize: 3 }, Buffer.from('abc'));
    const headerEnd = request.length - 3;
    for (let cut = 1; cut <= request.length; cut++) {
      const kind = classifyRequest(request.subarray(0, cut), utf8);
      if (cut < 4) assert.deepEqual(kind, { kind: 'short', needBytes: 4 }, `cut ${cut}`);
      else if (cut < headerEnd) assert.deepEqual(kind, { kind: 'more', needBytes: headerEnd }, `cut ${cut}`);
      else
        assert.deepEqual(
          kind,
          { kind: 'upload', header: { filename: 'a.txt', filesize: 3 }, contentStart: headerEnd },
          `cut ${cut}`,
        );
    }
  });

  test('text commands of 3 bytes or more are commands at once, in UTF-8 and GBK; 1-2 bytes are "short"', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (text) => {
        const clean = text.replaceAll('\0', '').replaceAll('\u0001', '');
        for (const bytes of [Buffer.from(clean, 'utf8'), iconv.encode(clean, 'gbk')]) {
          if (bytes.length === 0) continue;
          // 1 or 2 bytes may be the start of a split upload length (issue 9, defect 15).
          assert.equal(classifyRequest(bytes, utf8).kind, bytes.length < 3 ? 'short' : 'command');
        }
      }),
      { numRuns: 500 },
    );
  });

  test('a length outside 2..65536, a 5th byte other than {, bad JSON or another cmd make a command', () => {
    const header = Buffer.from('{"cmd": "put", "filename": "x", "filesize": 1}');
    const cases = [
      Buffer.concat([encodeInt32(1), header]),
      Buffer.concat([encodeInt32(65_537), header]),
      Buffer.concat([encodeInt32(-5), header]),
      Buffer.concat([encodeInt32(header.length), Buffer.from('['), header.subarray(1)]),
      Buffer.concat([encodeInt32(6), Buffer.from('{"cmd"')]),
      uploadRequest({ cmd: 'get', filename: 'x', filesize: 1 }, Buffer.alloc(1)),
      uploadRequest({ filename: 'x', filesize: 1 }, Buffer.alloc(1)),
    ];
    for (const request of cases) assert.equal(classifyRequest(request, utf8).kind, 'command', request.toString('hex'));
  });

  test('the limits themselves: L of 2 and of 65536 are uploads when their JSON is a put', () => {
    assert.equal(classifyRequest(Buffer.concat([encodeInt32(2), Buffer.from('{}')]), utf8).kind, 'command');
    const padded = Buffer.from(JSON.stringify({ cmd: 'put', filename: 'x', filesize: 0 }).padEnd(65_536, ' '));
    assert.equal(classifyRequest(Buffer.concat([encodeInt32(65_536), padded]), utf8).kind, 'upload');
  });

  test('a put without a string filename or a non-negative integer filesize is a bad upload', () => {
    for (const header of [
      { cmd: 'put', filesize: 1 },
      { cmd: 'put', filename: 7, filesize: 1 },
      { cmd: 'put', filename: 'x', filesize: -1 },
      { cmd: 'put', filename: 'x', filesize: 1.5 },
      { cmd: 'put', filename: 'x', filesize: '1' },
    ]) {
      assert.equal(
        classifyRequest(uploadRequest(header, Buffer.alloc(0)), utf8).kind,
        'bad-upload',
        JSON.stringify(header),
      );
    }
  });
});

test('uploadBaseName keeps the last component of / or \\ paths and refuses ., .., empty and NUL', () => {
  assert.equal(uploadBaseName('a.txt'), 'a.txt');
  assert.equal(uploadBaseName('../../etc/passwd'), 'passwd');
  assert.equal(uploadBaseName('/abs/path/f'), 'f');
  assert.equal(uploadBaseName('C:\\Users\\me\\f.bin'), 'f.bin');
  assert.equal(uploadBaseName('..\\x'), 'x');
  assert.equal(uploadBaseName('.hidden'), '.hidden');
  for (const refused of ['', '.', '..', 'dir/', 'dir/..', 'a\\.', 'nul\0name'])
    assert.equal(uploadBaseName(refused), null, refused);
});

test("reply headers are byte for byte what Python's struct and json produce", () => {
  const python = (expr: string): Buffer =>
    Buffer.from(execFileSync('python3', ['-c', `import json, struct, sys; sys.stdout.buffer.write(${expr})`]));
  for (const size of [0, 10, 1_892, 10 * 1024 * 1024]) {
    const json = python(
      `(lambda h: struct.pack('i', len(h)) + h)(json.dumps({'total_size': ${size}, 'data_size': ${size}}).encode())`,
    );
    assert.deepEqual(replyHeader('json', size), json);
    assert.deepEqual(replyHeader('length', size), python(`struct.pack('i', ${size})`));
    assert.deepEqual(replyHeader('ack', size), Buffer.from(String(size)));
  }
  assert.equal(replyHeader('raw', 10), null);
});
