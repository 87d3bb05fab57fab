/**
 * `framesh serve --classic` against a Python classic client written from
 * docs/CLASSIC.md, once per reply format. One serve process per format,
 * shared by that format's tests.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLASSIC_FORMATS } from '../../src/classic/classic-format.js';
import type { ServeProcess } from '../helpers/cli.js';
import {
  auditEvents,
  byteReader,
  eventually,
  runClassicClient,
  startClassicServe,
  type ClassicReply,
} from './classic-server-helpers.js';
import { tempDir } from '../helpers/temp-dirs.js';

const GREETING = 'welcome to framesh classic 你好';
const BIG_BYTES = 10 * 1024 * 1024;
const UPLOAD_BYTES = 5 * 1024 * 1024;
const CLIENTS = 20;

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Test-wide state: one root shared by all formats (names carry the format), one server per format. */
let base: string;
let root: string;
let big: Buffer;
const servers = new Map<string, ServeProcess & { classicPort: number }>();

before(async () => {
  base = tempDir('framesh-classic-');
  root = path.join(base, 'root');
  mkdirSync(root);
  big = randomBytes(BIG_BYTES);
  writeFileSync(path.join(root, 'big.bin'), big);
  // Started side by side: each costs a Node start-up, and the formats' tests then run one after another.
  const started = await Promise.allSettled(
    CLASSIC_FORMATS.map(async (format) => {
      servers.set(
        format,
        await startClassicServe(format, ['--classic-greeting', GREETING, '--root', root, '--cwd', root]),
      );
    }),
  );
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
});

after(async () => {
  await Promise.all([...servers.values()].map((serve) => serve.stop()));
  rmSync(base, { recursive: true, force: true });
});

for (const format of CLASSIC_FORMATS) {
  describe(`serve --classic, ${format} format`, () => {
    const port = (): number => (servers.get(format) as { classicPort: number }).classicPort;
    const serve = (): ServeProcess => servers.get(format) as ServeProcess;
    const client = (actions: readonly string[]): Promise<ClassicReply[]> =>
      runClassicClient(port(), format, actions, { greeting: true });
    /** The replies, after checking the greeting came first. */
    const replies = async (actions: readonly string[]): Promise<ClassicReply[]> => {
      const [greeting, ...rest] = await client(actions);
      assert.equal(greeting?.text, GREETING);
      return rest;
    };

    test('outputs of 0 bytes, 10 bytes and 10 MiB arrive whole', async () => {
      if (format === 'raw') {
        // Raw has no size: an empty reply is no bytes at all, and only idle time can tell. A client that
        // sent its next command before that could have it merged with this one, so it gets its own connection.
        const [empty] = await replies(['idle=300=true']);
        assert.equal(empty?.len, 0);
        const [ten, large] = await replies(['rawn=10=printf 0123456789', `rawn=${BIG_BYTES}=cat big.bin`]);
        assert.equal(ten?.text, '0123456789');
        assert.deepEqual([large?.len, large?.sha256], [BIG_BYTES, sha256(big)]);
        return;
      }
      const [zero, ten, large] = await replies(['cmd=true', 'cmd=printf 0123456789', 'cmd=cat big.bin']);
      assert.deepEqual([zero?.size, zero?.len], [0, 0]);
      assert.deepEqual([ten?.size, ten?.text], [10, '0123456789']);
      assert.deepEqual([large?.size, large?.len, large?.sha256], [BIG_BYTES, BIG_BYTES, sha256(big)]);
    });

    test(
      'two commands in a row never mix',
      { skip: format === 'raw' && 'raw mixes by design: classic-server-limits.test.ts shows it' },
      async () => {
        const [first, second] = await replies(['cmd=seq 1 500', 'cmd=echo second']);
        assert.equal(first?.len, 1892);
        assert.ok(first?.text?.startsWith('1\n2\n3\n') && first.text.endsWith('499\n500\n'));
        assert.equal(second?.text, 'second\n');
      },
    );

    test(
      'ack: a next command sent in the same read as recv_ready is still run',
      { skip: format !== 'ack' && 'ack only', timeout: 10_000 },
      async () => {
        const socket = net.connect(port(), '127.0.0.1');
        const read = byteReader(socket);
        try {
          assert.equal((await read(Buffer.byteLength(GREETING))).toString(), GREETING);
          socket.write('true');
          assert.equal((await read(1)).toString(), '0');
          socket.write('recv_readyecho merged');
          assert.equal((await read(1)).toString(), '7');
          socket.write('recv_ready');
          assert.equal((await read(7)).toString(), 'merged\n');
        } finally {
          socket.destroy();
        }
      },
    );

    test('a command that writes only to stderr', async () => {
      const [reply, next] = await replies(['cmd=echo oops >&2', 'cmd=echo next']);
      assert.equal(reply?.text, 'oops\n');
      assert.equal(next?.text, 'next\n');
    });

    test('stdout comes before stderr in one reply', async () => {
      const [reply] = await replies(['cmd=echo err >&2; sleep 0.05; echo out']);
      assert.equal(reply?.text, 'out\nerr\n');
    });

    test('a non-ASCII command and its output', async () => {
      const [reply] = await replies(['cmd=echo héllo 中文 ✓']);
      assert.equal(reply?.text, 'héllo 中文 ✓\n');
      if (format !== 'raw') assert.equal(reply?.size, Buffer.byteLength('héllo 中文 ✓\n'));
    });

    test('the greeting comes first on every connection', async () => {
      const [greeting, reply] = await client(['cmd=echo hi']);
      assert.deepEqual([greeting?.greeting, greeting?.text, reply?.text], [true, GREETING, 'hi\n']);
    });

    test(`${CLIENTS} clients at once are served concurrently`, async () => {
      // Each command waits (bounded) until all have started: served one at a time, each would see only itself.
      const barrier = `barrier-${format}`;
      mkdirSync(path.join(root, barrier));
      const command = `cmd=touch ${barrier}/{i}; n=0; while [ $(ls ${barrier} | wc -l) -lt ${CLIENTS} ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n+1)); done; echo {i} $(ls ${barrier} | wc -l)`;
      const lines = await runClassicClient(port(), format, [command], { greeting: true, parallel: CLIENTS });
      const replies = lines.filter((line) => !line.greeting);
      assert.deepEqual(
        lines.filter((line) => line.greeting).map((line) => line.text),
        Array.from({ length: CLIENTS }, () => GREETING),
      );
      assert.deepEqual(
        replies.map((reply) => [reply.conn, reply.text]),
        Array.from({ length: CLIENTS }, (_, id) => [id, `${id} ${CLIENTS}\n`]),
      );
    });

    test('an upload of 5 MiB ends byte-exact under the root; the connection goes on', async () => {
      const content = randomBytes(UPLOAD_BYTES);
      const local = path.join(base, `upload-${format}.bin`);
      writeFileSync(local, content);
      const [after] = await replies([`put=${local}=some/dir/five-${format}.bin`, `cmd=echo after`]);
      assert.equal(after?.text, 'after\n');
      assert.ok(readFileSync(path.join(root, `five-${format}.bin`)).equals(content));
      const record = await eventually(() =>
        auditEvents(serve(), 'classic.upload').find((e) => e.stored === `five-${format}.bin`),
      );
      assert.deepEqual([record.outcome, record.bytes], ['stored', UPLOAD_BYTES]);
    });

    test('an upload named ../x stays inside the root', async () => {
      const local = path.join(base, `escape-${format}.txt`);
      writeFileSync(local, 'inside\n');
      const name = `escape-${format}`;
      const [reply] = await replies([`put=${local}=../${name}`, `cmd=cat ${name}`]);
      assert.equal(reply?.text, 'inside\n');
      assert.equal(existsSync(path.join(base, name)), false);
    });

    test('a truncated upload leaves nothing and the server keeps serving', async () => {
      const local = path.join(base, `cut-${format}.bin`);
      writeFileSync(local, randomBytes(100_000));
      const name = `cut-${format}.bin`;
      await client([`cut=${local}=${name}=30000`]);
      const record = await eventually(() => auditEvents(serve(), 'classic.upload').find((e) => e.name === name));
      assert.deepEqual([record.outcome, record.bytes, record.error], ['truncated', 30000, 'CLASSIC_UPLOAD_TRUNCATED']);
      assert.deepEqual(
        readdirSync(root).filter((entry) => entry.includes(name)),
        [],
      );
      const [reply] = await replies(['cmd=echo still here']);
      assert.equal(reply?.text, 'still here\n');
    });
  });
}
