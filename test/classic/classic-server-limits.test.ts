/**
 * `framesh serve --classic` limits and edges: charsets, --classic-max-output,
 * the per-command timeout, a client that leaves mid-command, shutdown, the
 * loopback rule, and the sticky-packet demo of docs/CLASSIC.md (raw mixes,
 * json does not).
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import iconv from 'iconv-lite';
import { runCli, startServeProcess, type ServeProcess } from '../helpers/cli.js';
import { waitForGroupGone } from '../helpers/processes.js';
import { auditEvents, eventually, runClassicClient, startClassicServe } from './classic-server-helpers.js';
import { tempDir } from '../helpers/temp-dirs.js';

const MAX_OUTPUT = 100_000;
const TIMEOUT_MS = 1500;
const CUT_LINE = `[framesh: output cut at ${MAX_OUTPUT} bytes (--classic-max-output); the command was ended]\n`;

type Serve = ServeProcess & { classicPort: number };

describe('serve --classic limits and edges', () => {
  let root: string;
  let limited: Serve;
  let gbk: Serve;
  let raw: Serve;

  before(async () => {
    root = tempDir('framesh-classic-limits-');
    const common = ['--root', root, '--cwd', root, '--kill-grace', '500ms'];
    [limited, gbk, raw] = await Promise.all([
      startClassicServe('json', [
        ...common,
        '--classic-max-output',
        String(MAX_OUTPUT),
        '--classic-timeout',
        `${TIMEOUT_MS}ms`,
      ]),
      startClassicServe('length', [...common, '--classic-encoding', 'gbk', '--classic-output-encoding', 'gbk']),
      startClassicServe('raw', common),
    ]);
  });

  after(async () => {
    await Promise.all([limited?.stop(), gbk?.stop(), raw?.stop()]);
    rmSync(root, { recursive: true, force: true });
  });

  test('gbk: the command is decoded from GBK and the output sent in GBK, sized in GBK bytes', async () => {
    const [reply] = await runClassicClient(gbk.classicPort, 'length', ['cmd=echo 中文编码'], { encoding: 'gbk' });
    assert.equal(reply?.text, '中文编码\n');
    assert.equal(reply?.size, iconv.encode('中文编码\n', 'gbk').length);
    // The audit log comes through another pipe than the reply: wait for it rather than assume it is there.
    const start = await eventually(() => auditEvents(gbk, 'classic.command.start')[0]);
    assert.equal(start.command, 'echo 中文编码');
  });

  test('output beyond --classic-max-output is cut there, one line says so, and the command is ended', async () => {
    const [reply, next] = await runClassicClient(limited.classicPort, 'json', ['cmd=yes', 'cmd=echo next']);
    assert.equal(reply?.size, MAX_OUTPUT + CUT_LINE.length);
    assert.equal(reply?.len, MAX_OUTPUT + CUT_LINE.length);
    assert.equal(next?.text, 'next\n');
    const end = await eventually(() => auditEvents(limited, 'classic.command.end').find((e) => e.command === 'yes'));
    assert.deepEqual([end.reason, end.stdoutBytes], ['max-output', MAX_OUTPUT]);
    assert.deepEqual(await waitForGroupGone(end.pid as number), []);
  });

  test('output of exactly --classic-max-output bytes is not cut', async () => {
    const [reply] = await runClassicClient(limited.classicPort, 'json', [`cmd=head -c ${MAX_OUTPUT} /dev/zero`]);
    assert.equal(reply?.size, MAX_OUTPUT);
  });

  test('a command past --classic-timeout is ended with its whole group; the reply keeps its output', async () => {
    const [reply] = await runClassicClient(limited.classicPort, 'json', ['cmd=echo started; sleep 30 & wait']);
    assert.equal(reply?.text, `started\n[framesh: command timed out after ${TIMEOUT_MS} ms and was ended]\n`);
    const end = await eventually(() => auditEvents(limited, 'classic.command.end').find((e) => e.reason === 'timeout'));
    assert.equal(end.error, 'TIMEOUT');
    assert.deepEqual(await waitForGroupGone(end.pid as number), []);
  });

  test('a client that leaves mid-command gets its command ended', async () => {
    const socket = net.connect(limited.classicPort, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('sleep 30; echo left-behind');
    const start = await eventually(() =>
      auditEvents(limited, 'classic.command.start').find((e) => e.command === 'sleep 30; echo left-behind'),
    );
    socket.end();
    const end = await eventually(() => auditEvents(limited, 'classic.command.end').find((e) => e.pid === start.pid));
    assert.deepEqual([end.reason, end.replyBytes], ['disconnect', 0]);
    assert.deepEqual(await waitForGroupGone(start.pid as number), []);
  });

  test('a put header without a usable filesize closes the connection instead of running file bytes', async () => {
    const socket = net.connect(limited.classicPort, '127.0.0.1');
    const header = Buffer.from(JSON.stringify({ cmd: 'put', filename: 'x', filesize: 'lots' }));
    const length = Buffer.alloc(4);
    length.writeInt32LE(header.length);
    socket.write(Buffer.concat([length, header, Buffer.from('touch ran-file-bytes')]));
    await new Promise((resolve) => socket.once('close', resolve));
    const record = await eventually(() =>
      auditEvents(limited, 'classic.upload').find((e) => e.error === 'CLASSIC_UPLOAD_HEADER'),
    );
    assert.equal(record.outcome, 'refused');
    const [reply] = await runClassicClient(limited.classicPort, 'json', ['cmd=ls']);
    assert.equal(reply?.text?.includes('ran-file-bytes'), false);
  });

  test('a zero-byte upload and a command arriving in the same read: both are served', { timeout: 10_000 }, async () => {
    const socket = net.connect(limited.classicPort, '127.0.0.1');
    const header = Buffer.from(JSON.stringify({ cmd: 'put', filename: 'empty.txt', filesize: 0 }));
    const length = Buffer.alloc(4);
    length.writeInt32LE(header.length);
    socket.write(Buffer.concat([length, header, Buffer.from('cat empty.txt; echo after')]));
    const reply = await readJsonReply(socket);
    socket.destroy();
    assert.equal(reply, 'after\n');
    assert.equal(readFileSync(path.join(root, 'empty.txt')).length, 0);
  });

  test('the sticky-packet demo: raw replies mix for a 1024-byte reader, json replies do not', async () => {
    const commands = ['cmd=seq 1 500', 'cmd=echo second'];
    const [rawFirst, rawSecond] = await runClassicClient(raw.classicPort, 'raw', commands, { recvSize: 1024 });
    // seq 1 500 prints 1892 bytes: the first read holds at most 1024, the rest is what the second read gets.
    assert.ok((rawFirst?.len ?? 0) <= 1024);
    assert.ok(rawFirst?.text?.startsWith('1\n2\n3\n'));
    assert.notEqual(rawSecond?.text, 'second\n');
    assert.match(rawSecond?.text ?? '', /^\d*\n?\d+\n/);
    const [jsonFirst, jsonSecond] = await runClassicClient(limited.classicPort, 'json', commands, { recvSize: 1024 });
    assert.equal(jsonFirst?.len, 1892);
    assert.equal(jsonSecond?.text, 'second\n');
  });

  test('a non-loopback --classic-host is refused without --classic-allow-remote', async () => {
    const results = await Promise.all([
      runCli(['serve', '--classic', '0', '--classic-only', '--classic-host', '0.0.0.0']),
      // Beside the framesh listener, the check comes before anything listens.
      runCli(['serve', '--insecure', '--port', '0', '--classic', '0', '--classic-host', '0.0.0.0']),
    ]);
    for (const result of results) {
      assert.equal(result.code, 1);
      assert.equal(result.stdout, '');
      assert.match(
        result.stderr,
        /refusing the classic listener on non-loopback address 0\.0\.0\.0.*\(CLASSIC_REMOTE_REFUSED\)/s,
      );
    }
  });

  test('--classic beside the framesh listener: two ports, both served, SIGTERM closes both', async () => {
    const serve = await startServeProcess(['--insecure', '--classic', '0', '--cwd', root], {}, { classic: true });
    assert.ok(serve.classicPort && serve.classicPort !== serve.port);
    const [reply] = await runClassicClient(serve.classicPort, 'json', ['cmd=echo classic']);
    assert.equal(reply?.text, 'classic\n');
    const exec = await runCli(['exec', '--insecure', `127.0.0.1:${serve.port}`, '--', 'echo framesh']);
    assert.equal(exec.stdout, 'framesh\n');
    assert.equal(await serve.stop('SIGTERM'), 0);
  });

  test('shutdown: running commands end with a note after the grace, then the server exits 0', async () => {
    const serve = await startClassicServe('json', [
      '--root',
      root,
      '--cwd',
      root,
      '--shutdown-grace',
      '200ms',
      '--kill-grace',
      '500ms',
    ]);
    const pending = runClassicClient(serve.classicPort, 'json', ['cmd=echo working; sleep 30']);
    const start = await eventually(() => auditEvents(serve, 'classic.command.start')[0]);
    const code = await serve.stop('SIGTERM');
    const [reply] = await pending;
    assert.equal(code, 0);
    assert.equal(reply?.text, 'working\n[framesh: server shutting down; the command was ended]\n');
    assert.deepEqual(await waitForGroupGone(start.pid as number), []);
  });
});

/** Reads one json-format reply from a raw socket (bounded by the test timeout). */
async function readJsonReply(socket: net.Socket): Promise<string> {
  let buffered = Buffer.alloc(0);
  for await (const chunk of socket) {
    buffered = Buffer.concat([buffered, chunk as Buffer]);
    if (buffered.length < 4) continue;
    const headerEnd = 4 + buffered.readInt32LE(0);
    if (buffered.length < headerEnd) continue;
    const size = (JSON.parse(buffered.subarray(4, headerEnd).toString('utf8')) as { total_size: number }).total_size;
    if (buffered.length >= headerEnd + size) return buffered.subarray(headerEnd, headerEnd + size).toString('utf8');
  }
  throw new Error('connection closed before a whole reply');
}
