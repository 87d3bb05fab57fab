import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { outputWriter } from '../../src/cli/output-decoder.js';
import { parseTarget } from '../../src/cli/target.js';
import { exitStatusOf } from '../../src/cli/exit-status.js';

describe('outputWriter', () => {
  it('decodes GBK fed one byte at a time into whole UTF-8 characters', () => {
    const sink = new PassThrough();
    const writer = outputWriter(sink, 'gbk');
    for (const byte of Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0x0a])) writer.write(Buffer.from([byte]));
    writer.end();
    assert.equal(sink.read()?.toString('utf8'), '你好\n');
  });

  it('passes UTF-8 bytes through untouched', () => {
    const sink = new PassThrough();
    outputWriter(sink, 'utf-8').write(Buffer.from([0xe4, 0xbd]));
    assert.deepEqual(sink.read(), Buffer.from([0xe4, 0xbd]));
  });
});

describe('parseTarget', () => {
  const cases: Array<[string, string, number]> = [
    ['web1', 'web1', 7022],
    ['web1:2200', 'web1', 2200],
    ['127.0.0.1:9', '127.0.0.1', 9],
    ['[::1]:7023', '::1', 7023],
    ['[::1]', '::1', 7022],
    ['::1', '::1', 7022],
  ];
  for (const [text, host, port] of cases) {
    it(`parses ${text}`, () => assert.deepEqual(parseTarget(text), { host, port }));
  }
  for (const bad of ['web1:0', 'web1:70000', 'web1:x', ':22']) {
    it(`refuses ${bad}`, () => assert.throws(() => parseTarget(bad)));
  }
});

describe('exitStatusOf', () => {
  it('maps codes, signals and timeouts as a shell and timeout(1) do', () => {
    assert.equal(exitStatusOf({ code: 3, signal: null }), 3);
    assert.equal(exitStatusOf({ code: null, signal: 'SIGKILL' }), 137);
    assert.equal(exitStatusOf({ code: null, signal: 'SIGTERM', reason: 'timeout' }), 124);
    assert.equal(
      exitStatusOf({ code: null, signal: 'SIGTERM', reason: 'shutdown' }),
      255,
      'the server ended it: not the command status',
    );
  });
});
