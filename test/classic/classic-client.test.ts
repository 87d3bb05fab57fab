import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { CLASSIC_FORMATS, encodeInt32, type ClassicFormat } from '../../src/classic/classic-format.js';
import { ClassicClient, type ReplySink } from '../../src/classic/client/classic-client.js';
import { ClassicReplyError } from '../../src/classic/client/classic-reply-error.js';
import { runCli, spawnCli, type CliResult } from '../helpers/cli.js';
import {
  startHostileServer,
  startPythonClassicServer,
  type HostileServer,
  type PythonClassicServer,
} from './classic-client-helpers.js';
import { tempDir } from '../helpers/temp-dirs.js';

/**
 * `framesh classic` against test/classic/peers/classic_server.py, a classic
 * server written from docs/CLASSIC.md, in every format; then against a
 * scripted hostile server. One Python server per format (plus one with a
 * greeting and gbk), started once and shared by the tests.
 */

const SEQ = Array.from({ length: 20_000 }, (_, i) => `${i + 1}\n`).join(''); // 108,894 bytes: more than 64 KiB
const SESSION_INPUT = [
  'echo first',
  'seq 1 20000',
  '',
  'echo only-stderr >&2',
  'true',
  "printf 'no newline'",
  '   echo last   ',
  ' exit ',
  'echo never-sent',
  '',
].join('\n');
const SESSION_OUTPUT = `first\n${SEQ}only-stderr\nno newline` + 'last\n';
const GREETING = 'Welcome to the classic server\n';
/** raw has no framing: the tests give it a silence long enough for a loaded 2-core machine. */
const RAW_IDLE = ['--idle', '1000ms'];

const servers = new Map<string, PythonClassicServer>();
const plain = (format: ClassicFormat): PythonClassicServer => servers.get(format) as PythonClassicServer;
const greeting = (format: ClassicFormat): PythonClassicServer =>
  servers.get(`${format}+greeting`) as PythonClassicServer;
const classic = (format: ClassicFormat, args: readonly string[], input?: string): Promise<CliResult> =>
  runCli(['classic', '--format', format, ...(format === 'raw' ? RAW_IDLE : []), ...args], {
    timeoutMs: 60_000,
    ...(input !== undefined && { input }),
  });

describe('framesh classic', { concurrency: 4 }, () => {
  before(async () => {
    const started = await Promise.all(
      CLASSIC_FORMATS.flatMap((format) => [
        startPythonClassicServer(['--format', format]).then((s) => servers.set(format, s)),
        startPythonClassicServer(['--format', format, '--greeting', GREETING, '--encoding', 'gbk']).then((s) =>
          servers.set(`${format}+greeting`, s),
        ),
      ]),
    ).catch(async (err: unknown) => {
      await Promise.all([...servers.values()].map((s) => s.stop()));
      throw err;
    });
    assert.equal(started.length, 8);
  });

  after(async () => {
    await Promise.all([...servers.values()].map((s) => s.stop()));
  });

  for (const format of CLASSIC_FORMATS) {
    // raw tests mostly wait out --idle, so they overlap; the others are CPU-bound CLI starts, kept in line.
    describe(
      `framesh classic --format ${format} against the Python classic server`,
      { concurrency: format === 'raw' ? 4 : 1 },
      () => {
        it('runs one command after -- and exits 0', async () => {
          const result = await classic(format, [plain(format).target, '--', 'echo', 'hello', 'world']);
          assert.equal(result.stdout, 'hello world\n');
          assert.equal(result.code, 0, result.stderr);
          if (format === 'raw') assert.match(result.stderr, /reply boundaries are guessed.*1000 ms/);
          else assert.equal(result.stderr, '');
        });

        it('reads piped lines as commands on one connection: a >64 KiB reply byte-exact, stderr-only and empty replies, no mixing; exit leaves', async () => {
          const result = await classic(format, [plain(format).target], SESSION_INPUT);
          assert.equal(result.code, 0, result.stderr);
          assert.equal(result.stdout.length, SESSION_OUTPUT.length);
          assert.equal(result.stdout, SESSION_OUTPUT);
        });

        it('prints the greeting first, and sends and decodes gbk with --encoding gbk', async () => {
          const result = await classic(format, [
            '--greeting',
            '--encoding',
            'gbk',
            greeting(format).target,
            '--',
            'echo 你好; echo 世界 >&2',
          ]);
          assert.equal(result.code, 0, result.stderr);
          assert.equal(result.stdout, `${GREETING}你好\n世界\n`);
        });

        it('put FILE uploads the file byte-exact under the server directory', async () => {
          const dir = tempDir('framesh-classic-put-');
          try {
            const content = randomBytes(1024 * 1024 + 3);
            const file = path.join(dir, `upload-${format}.bin`);
            writeFileSync(file, content);
            const result = await classic(format, [plain(format).target, 'put', file]);
            assert.equal(result.code, 0, result.stderr);
            assert.match(result.stderr, new RegExp(`sent upload-${format}\\.bin \\(1048579 bytes\\)`));
            // The client leaves only once the server closed, i.e. after it read and stored every byte.
            assert.ok(readFileSync(path.join(plain(format).uploadDir, `upload-${format}.bin`)).equals(content));
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        });
      },
    );
  }

  describe('framesh classic CLI details', () => {
    it('-- put x runs a command named put; it is not an upload', async () => {
      const result = await classic('json', [plain('json').target, '--', 'put', 'x']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /put: .*not found/);
      assert.doesNotMatch(result.stderr, /sent x/);
    });

    it('leaves with 141 when its stdout is closed early (| head), without a stack trace', async () => {
      const child = spawnCli(['classic', plain('json').target, '--', 'seq 1 300000']);
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = once(child, 'exit');
      await once(child.stdout, 'data');
      child.stdout.destroy();
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const [code] = (await exited) as [number | null];
      clearTimeout(timer);
      assert.equal(code, 141, stderr);
      assert.doesNotMatch(stderr, /EPIPE|\n\s+at /);
    });
  });

  describe('ClassicClient reply by reply (boundaries visible)', () => {
    /** Collects each reply's bytes separately (the greeting first, if asked), so a reply that swallowed part of the next would show. */
    async function replies(
      format: ClassicFormat,
      server: PythonClassicServer,
      commands: readonly Buffer[],
      withGreeting = false,
    ): Promise<Buffer[]> {
      const connection = await ClassicClient.connect(
        { host: '127.0.0.1', port: server.port },
        { format, maxReplyBytes: 1 << 30, idleMs: 300, timeoutMs: 10_000 },
      );
      try {
        const out: Buffer[] = [];
        const collect = async (read: (sink: ReplySink) => Promise<void>): Promise<void> => {
          const parts: Buffer[] = [];
          await read({ write: (c) => parts.push(Buffer.from(c)) > 0, onDrain: () => {} });
          out.push(Buffer.concat(parts));
        };
        if (withGreeting) await collect((sink) => connection.readGreeting(sink));
        for (const command of commands) {
          await connection.send(command);
          await collect((sink) => connection.readReply(sink));
        }
        return out;
      } finally {
        connection.close();
      }
    }

    for (const format of ['json', 'length', 'ack'] as const) {
      it(`${format}: every reply holds exactly its own command's output`, async () => {
        const got = await replies(
          format,
          plain(format),
          ['seq 1 20000', 'true', 'echo x >&2', 'printf ab'].map((c) => Buffer.from(c)),
        );
        assert.deepEqual(
          got.map((b) => b.toString('utf8')),
          [SEQ, '', 'x\n', 'ab'],
        );
      });
    }

    it('gbk: the command goes out as gbk bytes and the reply comes back as gbk bytes; the greeting stays UTF-8', async () => {
      const [greetingBytes, reply] = await replies(
        'length',
        greeting('length'),
        [iconv.encode('echo 中文', 'gbk')],
        true,
      );
      assert.equal(greetingBytes?.toString('utf8'), GREETING);
      assert.ok(reply?.equals(iconv.encode('中文\n', 'gbk')), reply?.toString('hex'));
    });
  });

  describe('framesh classic against a hostile classic server', () => {
    let hostile: HostileServer;
    const header = (json: string): Buffer => Buffer.concat([encodeInt32(Buffer.byteLength(json)), Buffer.from(json)]);
    before(async () => {
      hostile = await startHostileServer({
        'negative-length': { send: encodeInt32(-5) },
        'huge-length': { send: encodeInt32(0x7fffffff) },
        'over-cap': { send: Buffer.concat([encodeInt32(2000), Buffer.alloc(2000, 0x61)]) },
        'json-negative-header': { send: encodeInt32(-1) },
        'json-not-json': { send: header('hello') },
        'json-bad-size': { send: header('{"total_size": -3, "data_size": -3}') },
        'ack-letters': { send: Buffer.from('12abc') },
        'cut-body': { send: Buffer.concat([encodeInt32(100), Buffer.from('0123456789')]), close: true },
        'cut-header': { send: encodeInt32(40).subarray(0, 2), close: true },
        stall: { send: Buffer.concat([encodeInt32(100), Buffer.from('x')]) },
        'close-now': { send: Buffer.alloc(0), close: true },
        'two-at-once': {
          send: Buffer.concat([encodeInt32(4), Buffer.from('one\n'), encodeInt32(4), Buffer.from('two\n')]),
        },
      });
    });
    after(async () => {
      await hostile.stop();
    });

    const target = (): { host: string; port: number } => ({
      host: '127.0.0.1',
      port: Number(hostile.target.split(':')[1]),
    });
    const libraryCases: Array<[string, ClassicFormat, number, string, RegExp]> = [
      ['huge-length', 'length', 1 << 30, 'CLASSIC_REPLY_TOO_LARGE', /2147483647 bytes, beyond --max-reply 1073741824/],
      ['over-cap', 'length', 1024, 'CLASSIC_REPLY_TOO_LARGE', /2000 bytes, beyond --max-reply 1024/],
      ['json-negative-header', 'json', 1 << 30, 'CLASSIC_BAD_REPLY', /reply header of -1 bytes/],
      ['json-not-json', 'json', 1 << 30, 'CLASSIC_BAD_REPLY', /reply header is not JSON: "hello"/],
      ['json-bad-size', 'json', 1 << 30, 'CLASSIC_BAD_REPLY', /size is not a non-negative integer/],
      ['ack-letters', 'ack', 1 << 30, 'CLASSIC_BAD_REPLY', /ack size is not decimal digits: "12abc"/],
      [
        'cut-header',
        'json',
        1 << 30,
        'CLASSIC_REPLY_CUT',
        /closed the connection in the middle of a reply header \(2 bytes\)/,
      ],
    ];
    for (const [command, format, maxReplyBytes, code, message] of libraryCases) {
      it(`${command} (${format}): the read fails with ${code}, and the connection is given up`, async () => {
        const connection = await ClassicClient.connect(target(), {
          format,
          maxReplyBytes,
          idleMs: 200,
          timeoutMs: 5000,
        });
        try {
          await connection.send(Buffer.from(command));
          await assert.rejects(connection.readReply({ write: () => true, onDrain: () => {} }), (err: unknown) => {
            assert.ok(err instanceof ClassicReplyError);
            assert.equal(err.code, code);
            assert.match(err.message, message);
            return true;
          });
          await assert.rejects(connection.send(Buffer.from('again')), { code });
        } finally {
          connection.close();
        }
      });
    }

    // Through the CLI: the message with its code on stderr, exit 255.
    const cliCases: Array<[string, ClassicFormat, string[], RegExp]> = [
      [
        'negative-length',
        'length',
        [],
        /negative reply size \(-5\).*\(CLASSIC_BAD_REPLY\)\nframesh: hint: check --format/,
      ],
      ['cut-body', 'length', [], /closed the connection after 10 of the 100 bytes it announced \(CLASSIC_REPLY_CUT\)/],
      [
        'stall',
        'length',
        ['--timeout', '300ms'],
        /no reply from 127\.0\.0\.1:\d+ for 300 ms \(--timeout\) \(TIMEOUT\)/,
      ],
      ['close-now', 'json', [], /closed the connection without replying \(CONNECTION_CLOSED\)/],
    ];
    for (const [command, format, args, message] of cliCases) {
      it(`${command} (${format}, CLI): a clear error with its code, exit 255`, async () => {
        const result = await runCli(['classic', '--format', format, ...args, hostile.target, '--', command], {
          timeoutMs: 20_000,
        });
        assert.equal(result.code, 255, result.stderr);
        assert.match(result.stderr, message);
      });
    }

    it('two replies sent at once for one command: the second is held for the next command, not mixed into the first', async () => {
      const connection = await ClassicClient.connect(target(), {
        format: 'length',
        maxReplyBytes: 1024,
        idleMs: 200,
        timeoutMs: 5000,
      });
      try {
        const read = async (): Promise<string> => {
          const parts: Buffer[] = [];
          await connection.readReply({ write: (c) => parts.push(Buffer.from(c)) > 0, onDrain: () => {} });
          return Buffer.concat(parts).toString();
        };
        await connection.send(Buffer.from('two-at-once'));
        assert.equal(await read(), 'one\n');
        await connection.send(Buffer.from('unscripted'));
        assert.equal(await read(), 'two\n');
      } finally {
        connection.close();
      }
    });

    it('a greeting that never comes is a timeout, not a hang', async () => {
      const result = await runCli(['classic', '--greeting', '--timeout', '300ms', hostile.target, '--', 'close-now'], {
        timeoutMs: 20_000,
      });
      assert.equal(result.code, 255);
      assert.match(result.stderr, /no greeting from 127\.0\.0\.1:\d+ within 300 ms \(TIMEOUT\)/);
    });

    it('a refused connection exits 255 with CONNECTION_REFUSED', async () => {
      const probe = net.createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const { port } = probe.address() as net.AddressInfo;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      const result = await runCli(['classic', `127.0.0.1:${port}`, '--', 'true'], { timeoutMs: 20_000 });
      assert.equal(result.code, 255);
      assert.match(
        result.stderr,
        /connection refused by 127\.0\.0\.1:\d+ \(is the classic server running there\?\) \(CONNECTION_REFUSED\)/,
      );
    });

    it('refuses usage errors before connecting: no port, bad format, words without --', async () => {
      const [noPort, badFormat, stray] = await Promise.all([
        runCli(['classic', '127.0.0.1', '--', 'true']),
        runCli(['classic', '--format', 'xml', hostile.target, '--', 'true']),
        runCli(['classic', hostile.target, 'ls', 'tmp']),
      ]);
      assert.match(noPort.stderr, /no port in "127\.0\.0\.1"/);
      assert.match(badFormat.stderr, /Allowed choices are json, length, ack, raw/);
      assert.match(stray.stderr, /put a command after --, or use put FILE/);
      for (const result of [noPort, badFormat, stray])
        assert.equal(result.code, 2, 'usage errors exit 2 in every command');
    });
  });
});
