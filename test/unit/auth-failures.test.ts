/**
 * The per-address failure count behind the authentication delay (PROTOCOL.md §10.2). Attempts count once
 * they fail (a refusal, or a close before the answer), never while they are being checked, so parallel
 * logins from one address do not delay each other.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthFailures } from '../../src/security/auth-failures.js';

const ADDRESS = '192.0.2.7';

describe('AuthFailures', () => {
  it('does not delay attempts in flight on account of each other', () => {
    const failures = new AuthFailures(250);
    const attempts = Array.from({ length: 50 }, () => failures.begin(ADDRESS));
    assert.deepEqual(
      attempts.map((a) => a.delayBeforeVerifyMs),
      attempts.map(() => 0),
    );
    for (const attempt of attempts) attempt.succeeded();
    assert.equal(failures.countOf(ADDRESS), 0);
  });

  it('delays the next check by 250 ms doubling per failure, up to 5 s, and answers failures one step later', () => {
    const failures = new AuthFailures(250);
    const seen: Array<[number, number]> = [];
    for (let i = 0; i < 7; i++) {
      const attempt = failures.begin(ADDRESS);
      seen.push([attempt.delayBeforeVerifyMs, attempt.failureAnswerMs]);
      assert.equal(attempt.failed(), i + 1);
    }
    assert.deepEqual(seen, [
      [0, 250],
      [250, 500],
      [500, 1000],
      [1000, 2000],
      [2000, 4000],
      [4000, 5000],
      [5000, 5000],
    ]);
  });

  it('counts a settled attempt once, however often it is settled', () => {
    const failures = new AuthFailures(100);
    const attempt = failures.begin(ADDRESS);
    attempt.failed();
    attempt.failed();
    attempt.succeeded();
    assert.equal(failures.countOf(ADDRESS), 1);
    const good = failures.begin(ADDRESS);
    good.succeeded();
    good.failed();
    assert.equal(failures.countOf(ADDRESS), 1);
  });

  it('keeps addresses apart and forgets failures after ten minutes', () => {
    const failures = new AuthFailures(100);
    const start = Date.now();
    failures.begin(ADDRESS, start).failed();
    assert.equal(failures.countOf('198.51.100.1', start), 0);
    assert.equal(failures.begin('198.51.100.1', start).delayBeforeVerifyMs, 0);
    assert.equal(failures.countOf(ADDRESS, start + 10 * 60 * 1000 + 1), 0);
    assert.equal(failures.begin(ADDRESS, start + 10 * 60 * 1000 + 1).delayBeforeVerifyMs, 0);
  });
});
