import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { FrameshClient } from '../../src/index.js';
import { startTestServer, type TestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

const MiB = 1024 * 1024;

describe('exec streaming and flow control', () => {
  let server: TestServer;
  let client: FrameshClient;
  before(async () => {
    server = await startTestServer();
    client = await server.client();
  });

  it('delivers output as it is produced, before the command ends', async () => {
    // The command prints, then blocks until we close its stdin: output can only arrive early.
    const call = client.exec('echo first; read line; echo "second $line"');
    const [chunk] = (await once(call.stdout, 'data')) as [Buffer];
    assert.equal(chunk.toString(), 'first\n');
    assert.equal(call.running, true);
    call.stdin.end('done\n');
    let rest = '';
    call.stdout.on('data', (c: Buffer) => (rest += c.toString()));
    assert.deepEqual(await call.exit, { code: 0, signal: null });
    assert.equal(rest, 'second done\n');
  });

  it('sends exit only after every output byte, keeping stdout and stderr apart', async () => {
    // stdio are socket pairs, so /dev/stderr cannot be reopened: stage the bytes in a file.
    const file = path.join(tempDir('framesh-out-'), 'data');
    const call = client.exec(
      `head -c 20971520 /dev/urandom > ${file} && cat ${file} >&2 && sha256sum ${file} && rm -r ${path.dirname(file)}`,
    );
    call.stdin.end();
    const stderrHash = createHash('sha256');
    let stderrBytes = 0;
    let stdout = '';
    let exitSeenWithBytes = -1;
    call.stderr.on('data', (c: Buffer) => {
      stderrHash.update(c);
      stderrBytes += c.length;
    });
    call.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    call.exit.then(() => (exitSeenWithBytes = stderrBytes));
    const status = await call.exit;
    if (!call.stderr.readableEnded) await once(call.stderr, 'end');
    assert.deepEqual(status, { code: 0, signal: null });
    assert.equal(stderrBytes, 20 * MiB);
    assert.equal(exitSeenWithBytes, 20 * MiB);
    assert.equal(stdout.split(' ')[0], stderrHash.digest('hex'));
  });

  it('forwards stdin, including 8 MiB and end of input', async () => {
    const input = Buffer.alloc(8 * MiB, 'ab');
    const result = await client.run('wc -c; echo done >&2', { input });
    assert.equal(result.stdout.trim(), String(8 * MiB));
    assert.equal(result.stderr, 'done\n');
  });

  it('a paused reader stops the command: bytes written stay bounded by the window while another channel on the same connection completes', async () => {
    const windowBytes = 256 * 1024;
    const pid = new Promise<number>((resolve) => server.server.once('commandStart', (info) => resolve(info.pid)));
    // An argv, so the reported pid is head itself and /proc/PID/io counts exactly what it wrote.
    const slow = client.exec(['head', '-c', String(200 * MiB), '/dev/zero'], { windowBytes });
    slow.stdin.end();
    slow.stdout.pause();
    const headPid = await pid;
    await until(() => slow.stdout.readableLength >= windowBytes, 10_000, 'the first window of output');
    // Another command on the SAME connection: the connection is not blocked by the stalled channel.
    assert.equal((await client.run('echo meanwhile')).stdout, 'meanwhile\n');
    const written = bytesWritten(headPid);
    const received = slow.stdout.readableLength;
    // PROTOCOL.md §5: the server sends at most the window plus credit for what the client stream accepted
    // (its high-water mark and one frame); the command blocks once the pipe and one pump read are full.
    assert.ok(
      received <= windowBytes + slow.stdout.readableHighWaterMark + MiB,
      `client received ${received} bytes while paused`,
    );
    assert.ok(
      written < windowBytes + 8 * MiB,
      `command wrote ${written} of ${200 * MiB} bytes while the reader was paused`,
    );
    assert.equal(slow.running, true);
    let total = 0;
    slow.stdout.on('data', (c: Buffer) => (total += c.length));
    slow.stdout.resume();
    assert.deepEqual(await slow.exit, { code: 0, signal: null });
    assert.equal(total, 200 * MiB);
  });
});

/** Bytes a process has written so far (Linux /proc/PID/io). */
function bytesWritten(pid: number): number {
  const match = /^wchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  assert.ok(match, `no wchar for ${pid}`);
  return Number(match[1]);
}

/** Polls a condition, bounded: the state it waits on has no event of its own. */
async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
