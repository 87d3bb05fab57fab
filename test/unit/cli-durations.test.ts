import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { describeDurationMs, MAX_DURATION_MS, parseDurationMs } from '../../src/cli/duration.js';

describe('parseDurationMs (every duration flag of every command)', () => {
  it('reads units, and a bare number as seconds (timeout(1), ssh ConnectTimeout)', () => {
    const cases: Array<[string, number]> = [
      ['500ms', 500],
      ['30s', 30_000],
      ['30', 30_000],
      ['1.5', 1500],
      ['1.5s', 1500],
      ['.25s', 250],
      ['5m', 300_000],
      ['1h', 3_600_000],
      ['2d', 172_800_000],
      [' 10s ', 10_000],
      ['2147483647ms', MAX_DURATION_MS],
    ];
    for (const [text, ms] of cases) assert.equal(parseDurationMs(text, 'refused'), ms, text);
  });

  it('0 means none where the flag allows it, and is refused at parse time where it does not', () => {
    assert.equal(parseDurationMs('0', 'none'), 0);
    assert.equal(parseDurationMs('0s', 'none'), 0);
    assert.throws(
      () => parseDurationMs('0', 'refused'),
      (err: Error) => err instanceof InvalidArgumentError && /more than 0/.test(err.message),
    );
    assert.throws(() => parseDurationMs('0ms', 'refused'), InvalidArgumentError);
  });

  it('refuses what is not a duration, below 1 ms, or above 2^31-1 ms', () => {
    for (const text of [
      '',
      'abc',
      '-1',
      '-5s',
      '1e3',
      '10 s',
      '5sec',
      '1y',
      '0x10',
      'Infinity',
      'NaN',
      '1..2',
      '0.0001s',
    ]) {
      assert.throws(() => parseDurationMs(text, 'none'), InvalidArgumentError, JSON.stringify(text));
    }
    assert.throws(() => parseDurationMs('2147483648ms', 'none'), /more than 2147483647 ms/);
    assert.throws(() => parseDurationMs('25d', 'none'), /more than 2147483647 ms/);
  });

  it('describes durations in words for messages', () => {
    assert.equal(describeDurationMs(300), '300 ms');
    assert.equal(describeDurationMs(1500), '1500 ms');
    assert.equal(describeDurationMs(30_000), '30 s');
    assert.equal(describeDurationMs(300_000), '5 min');
    assert.equal(describeDurationMs(7_200_000), '2 h');
  });
});
