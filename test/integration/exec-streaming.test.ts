import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { FrameshClient } from '../../src/index.js';
import { startTestServer, type TestServer } from '../helpers/servers.js';

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
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'framesh-out-')), 'data');
    const call = client.exec(`head -c 20971520 /dev/urandom > ${file} && cat ${file} >&2 && sha256sum ${file} && rm -r ${path.dirname(file)}`);
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

  it('a slow reader stops the command, bounds server-side output, and other channels keep flowing', async () => {
    const windowBytes = 256 * 1024;
    const slow = client.exec('head -c 209715200 /dev/zero', { windowBytes });
    slow.stdin.end();
    slow.stdout.pause();
    let received = 0;
    slow.stdout.on('data', (c: Buffer) => (received += c.length));
    slow.stdout.pause();
    // Let the pipe fill: the server may only send the window (plus what the Readable buffers ahead).
    await once(slow.stdout, 'readable').catch(() => {});
    const other = await client.run('echo meanwhile');
    assert.equal(other.stdout, 'meanwhile\n');
    const buffered = slow.stdout.readableLength;
    assert.ok(buffered <= windowBytes + slow.stdout.readableHighWaterMark, `client buffered ${buffered} bytes while paused`);
    assert.equal(slow.running, true);
    slow.stdout.resume();
    await slow.exit;
    assert.equal(received, 200 * MiB);
  });
});
