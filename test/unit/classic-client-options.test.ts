import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { encodeUploadHeader } from '../../src/classic/client/classic-upload-sender.js';
import { parseByteSize } from '../../src/cli/classic-command.js';

describe('framesh classic: --max-reply sizes', () => {
  it('reads plain bytes and binary K, M, G suffixes', () => {
    assert.equal(parseByteSize('1048576'), 1_048_576);
    assert.equal(parseByteSize('64K'), 65_536);
    assert.equal(parseByteSize('512m'), 512 * 1024 ** 2);
    assert.equal(parseByteSize('1G'), 1024 ** 3);
    assert.equal(parseByteSize('2GiB'), 2 * 1024 ** 3);
  });

  for (const bad of ['', '0', '-1', '1.5M', '12T', 'K', 'lots']) {
    it(`refuses "${bad}"`, () => {
      assert.throws(() => parseByteSize(bad), InvalidArgumentError);
    });
  }
});

describe('framesh classic: the upload header', () => {
  it('is the JSON Python json.dumps would send, ASCII only', () => {
    const header = encodeUploadHeader('notes.txt', 12);
    assert.deepEqual(JSON.parse(header.toString('ascii')), { cmd: 'put', filename: 'notes.txt', filesize: 12 });
    const name = encodeUploadHeader('报告 é.txt', 0);
    assert.ok(
      [...name].every((byte) => byte < 0x80),
      name.toString('latin1'),
    );
    assert.match(name.toString('ascii'), /"filename":"\\u62a5\\u544a \\u00e9\.txt"/);
    assert.equal(JSON.parse(name.toString('ascii')).filename, '报告 é.txt');
  });
});
