import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import type { FrameshClient } from '../../src/index.js';
import { startTestServer, type TestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

/** Corners of one channel's life: orders of events a client may legally produce. */
describe('exec edge cases', () => {
  let server: TestServer;
  let client: FrameshClient;
  before(async () => {
    server = await startTestServer({ killGraceMs: 300 });
    client = await server.client();
  });

  it('a signal sent before "opened" is delivered once the command starts (PROTOCOL.md §4.6)', async () => {
    const call = client.exec(['sleep', '30']);
    call.stdin.end();
    call.signal('TERM');
    assert.deepEqual(await call.exit, { code: null, signal: 'SIGTERM' });
  });

  it('a cancel sent before "opened" still ends the command with reason "cancel"', async () => {
    const call = client.exec(['sleep', '30']);
    call.stdin.end();
    call.cancel();
    const status = await call.exit;
    assert.equal(status.reason, 'cancel');
    assert.equal(status.signal, 'SIGTERM');
  });

  it('delivers every byte intact through a tiny window', async () => {
    const payload = randomBytes(200_000);
    const result = await client.run('cat', { input: payload, windowBytes: 1000, encoding: 'buffer' });
    assert.equal(result.code, 0);
    assert.equal(
      createHash('sha256').update(result.stdout).digest('hex'),
      createHash('sha256').update(payload).digest('hex'),
    );
  });

  it('a command that exits without reading its stdin does not hang the caller', async () => {
    const result = await client.run('exit 4', { input: Buffer.alloc(8 * 1024 * 1024) });
    assert.equal(result.code, 4);
    assert.equal((await client.run('echo next')).stdout, 'next\n');
  });

  it('a command that closes stdout early still delivers its stderr and exit', async () => {
    const result = await client.run('echo out; exec >&-; echo late >&2; exit 2');
    assert.deepEqual(result, { code: 2, signal: null, stdout: 'out\n', stderr: 'late\n' });
  });

  it('keeps argv bytes exact: spaces, quotes, newlines, UTF-8, empty strings', async () => {
    const words = ['a b', "it's", '"q"', 'line1\nline2', 'héllo 你好', '', '$(echo expanded)', '*'];
    const result = await client.run(['printf', '[%s]', ...words]);
    assert.equal(result.stdout, words.map((w) => `[${w}]`).join(''));
  });

  it('passes env values and a cwd with spaces and UTF-8 through unchanged', async () => {
    const dir = tempDir('framesh edge ü-');
    try {
      const result = await client.run(['sh', '-c', 'pwd; printf "%s" "$V"'], { cwd: dir, env: { V: 'x=1; y="2" 你' } });
      assert.equal(result.stdout, `${dir}\nx=1; y="2" 你`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('interleaves many channels with output on one connection without mixing their bytes', async () => {
    const runs = Array.from({ length: 12 }, (_, i) =>
      client.run(`head -c ${100_000 + i} /dev/zero | tr '\\0' '${String.fromCharCode(97 + i)}'`, {
        windowBytes: 32 * 1024,
      }),
    );
    const results = await Promise.all(runs);
    results.forEach((r, i) => {
      assert.equal(r.stdout.length, 100_000 + i);
      assert.match(r.stdout as string, new RegExp(`^${String.fromCharCode(97 + i)}+$`));
    });
  });
});
