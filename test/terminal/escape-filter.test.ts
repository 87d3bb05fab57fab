import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EscapeFilter, parseEscapeChar, type EscapeEvent } from '../../src/cli/escape-filter.js';

const TILDE = 0x7e;
const text = (events: EscapeEvent[]): string =>
  events.map((e) => (e.type === 'data' ? e.bytes.toString('latin1') : `<${e.type}>`)).join('');
/** Feeds the input one byte at a time, as a slow typist would, and joins what comes out. */
const byteByByte = (filter: EscapeFilter, input: string): string =>
  [...Buffer.from(input, 'latin1')].map((b) => text(filter.feed(Buffer.from([b])))).join('');

describe('escape filter (ssh ~ escapes)', () => {
  const cases: Array<[string, string, string]> = [
    ['~. at the start disconnects', '~.', '<disconnect>'],
    ['~. after CR disconnects, and the bytes before it are sent', 'ls\r~.rest', 'ls\r<disconnect>'],
    ['~. in the middle of a line is sent as typed', 'a~.b', 'a~.b'],
    ['~~ sends one ~', '~~/x', '~/x'],
    ['~? asks for help and sends nothing', '~?', '<help>'],
    ['~ then another byte sends both', '~x', '~x'],
    ['after LF an escape is recognised again', 'a\n~.', 'a\n<disconnect>'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      assert.equal(text(new EscapeFilter(TILDE).feed(Buffer.from(input, 'latin1'))), expected);
      assert.equal(byteByByte(new EscapeFilter(TILDE), input), expected, 'the same split at every byte');
    });
  }

  it('-e none passes every byte through', () => {
    assert.equal(text(new EscapeFilter(null).feed(Buffer.from('~.~?~~'))), '~.~?~~');
  });

  it('another escape character works the same and leaves ~ alone', () => {
    const filter = new EscapeFilter(parseEscapeChar('^]'));
    assert.equal(text(filter.feed(Buffer.from('~.\r\x1d.'))), '~.\r<disconnect>');
  });

  it('parses -e: none, one character, ^X; refuses the rest', () => {
    assert.equal(parseEscapeChar('none'), null);
    assert.equal(parseEscapeChar('%'), 0x25);
    assert.equal(parseEscapeChar('^A'), 0x01);
    assert.throws(() => parseEscapeChar('ab'), /escape character/);
    assert.throws(() => parseEscapeChar('é'), /escape character/);
  });
});
