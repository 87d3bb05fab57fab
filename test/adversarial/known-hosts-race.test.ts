/**
 * Issue 9 defect 13: two clients meeting a new host at once (accept-new) both appended, pinning two keys
 * for one host; and with two lines for a host only the first was consulted. Now the add is checked
 * again and appended under a lock, and a key matching any line for the host is known (as OpenSSH).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { KnownHosts } from '../../src/security/known-hosts.js';
import { tempDir } from '../helpers/temp-dirs.js';

const RACER = new URL('../helpers/known-hosts-racer.ts', import.meta.url).pathname;

function contender(file: string, fingerprint: string): { ready: Promise<void>; go(): void; outcome: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', RACER, file, 'race.example:7022', fingerprint], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    output += text;
    if (output.startsWith('ready\n')) markReady();
  });
  const outcome = new Promise<string>((resolve) =>
    child.once('close', () => resolve(output.replace(/^ready\n/, '').trim())),
  );
  return { ready, go: () => child.stdin.end('go\n'), outcome };
}

describe('known_hosts under concurrent accept-new', () => {
  it(
    'pins exactly one key when six processes add the same new host at once (2 rounds)',
    { timeout: 90_000 },
    async () => {
      for (let round = 0; round < 2; round++) {
        const file = path.join(tempDir('framesh-known-hosts-'), 'known_hosts');
        const racers = Array.from({ length: 6 }, (_, i) => contender(file, `SHA256:key${round}-${i}`));
        await Promise.all(racers.map((r) => r.ready));
        racers.forEach((r) => r.go());
        const outcomes = await Promise.all(racers.map((r) => r.outcome));
        const lines = readFileSync(file, 'utf8').trim().split('\n');
        assert.equal(lines.length, 1, `round ${round}: ${lines.join(' | ')}`);
        assert.deepEqual(outcomes.filter((o) => o === 'added').length, 1, outcomes.join(','));
        assert.deepEqual(outcomes.filter((o) => o === 'HOST_KEY_CHANGED').length, 5, outcomes.join(','));
      }
    },
  );

  it('accepts a key matching any of several lines for a host, and names every line when none matches', async () => {
    const file = path.join(tempDir('framesh-known-hosts-'), 'known_hosts');
    writeFileSync(file, 'other:1 SHA256:x\nh:7022 SHA256:old\nh:7022 SHA256:new\n');
    const hosts = new KnownHosts(file);
    assert.equal(await hosts.verify('h:7022', 'SHA256:new', {}), 'known');
    assert.equal(await hosts.verify('h:7022', 'SHA256:old', {}), 'known');
    await assert.rejects(
      hosts.verify('h:7022', 'SHA256:evil', { acceptNew: true }),
      (err: Error & { code: string }) => {
        assert.equal(err.code, 'HOST_KEY_CHANGED');
        assert.match(err.message, /remove lines 2, 3 of/);
        return true;
      },
    );
  });
});
