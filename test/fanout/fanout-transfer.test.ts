/**
 * put -H and get -H through the real CLI, and fanoutPut/fanoutGet through the library, against real
 * servers on loopback (port 0), each with its own file root: byte-exact files on every host, a down
 * host reported with its code while the others finish, the DIR/HOST/ layout, and host names that try
 * to leave DIR.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import {
  fanoutGet,
  fanoutPut,
  hostDirectoryName,
  PlanError,
  selectHosts,
  type TransferFanoutEvent,
} from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { gateProxy, jsonLines, startFanoutHosts, type FanoutHosts } from './fanout-fixture.js';

const HOSTS = 20;
let hosts: FanoutHosts;
const list = (from: number, to: number): string => hosts.list(from, to);
const nameOf = (i: number): string => `127.0.0.1:${hosts.servers[i]?.port}`;

/** A port with nothing listening: a host that is down. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

before(async () => {
  hosts = await startFanoutHosts(HOSTS);
});

describe('put -H', () => {
  it('one file and a -r tree to 20 hosts arrive byte-exact on each; not a terminal: only the summary', async () => {
    const src = tempDir('framesh-put-src-');
    const big = randomBytes(3 * 1024 * 1024 + 17);
    writeFileSync(path.join(src, 'big.bin'), big);
    mkdirSync(path.join(src, 'tree', 'sub', 'empty'), { recursive: true });
    writeFileSync(path.join(src, 'tree', 'a.txt'), 'alpha\n');
    writeFileSync(path.join(src, 'tree', 'sub', 'b.txt'), 'beta\n');
    const r = await runCli([
      'put',
      '--insecure',
      '-r',
      '-H',
      list(0, HOSTS),
      path.join(src, 'big.bin'),
      path.join(src, 'tree'),
      '.',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^HOST\s+EXIT\s+TIME\s+BYTES\s+ERROR\n/);
    assert.match(r.stderr, /\n20 hosts: 20 ok, 0 failed\n$/);
    assert.ok(!r.stderr.includes('\u001b['), 'no bars or status line when stderr is not a terminal');
    for (const dir of hosts.dirs) {
      assert.ok(readFileSync(path.join(dir, 'big.bin')).equals(big), dir);
      assert.equal(readFileSync(path.join(dir, 'tree', 'a.txt'), 'utf8'), 'alpha\n');
      assert.equal(readFileSync(path.join(dir, 'tree', 'sub', 'b.txt'), 'utf8'), 'beta\n');
      assert.deepEqual(readdirSync(path.join(dir, 'tree', 'sub', 'empty')), []);
    }
  });

  it('a down host is reported with its code (exit 255) while the others finish; --json accounts for every host and file', async () => {
    const down = await closedPort();
    const src = path.join(tempDir('framesh-put-src-'), 'payload.bin');
    const bytes = randomBytes(200_000);
    writeFileSync(src, bytes);
    const r = await runCli([
      'put',
      '--insecure',
      '--json',
      '-H',
      `${list(0, 5)},127.0.0.1:${down},${list(5, 10)}`,
      src,
      'payload.bin',
    ]);
    assert.equal(r.code, 255, r.stderr);
    const lines = jsonLines(r.stdout);
    const files = lines.filter((l) => 'file' in l && l.error === undefined) as Array<{
      host: string;
      sha256?: string;
      size?: number;
    }>;
    assert.equal(files.length, 10);
    const sha = createHash('sha256').update(bytes).digest('hex');
    for (const f of files) assert.equal(f.sha256, sha);
    const ends = lines.filter((l) => l.exit !== undefined || (l.error !== undefined && !('file' in l)));
    assert.equal(ends.length, 11, 'one end per host');
    assert.equal(ends.find((e) => e.host === `127.0.0.1:${down}`)?.error, 'CONNECTION_REFUSED');
    assert.equal(ends.filter((e) => e.exit === 0).length, 10);
    for (const dir of hosts.dirs.slice(0, 10)) assert.ok(readFileSync(path.join(dir, 'payload.bin')).equals(bytes));
  });

  it('--timeout cuts a host whose transfer stalls (TIMEOUT, exit 1) while the others finish', async () => {
    const src = path.join(tempDir('framesh-put-src-'), 'stall.bin');
    const bytes = randomBytes(12 * 1024 * 1024);
    writeFileSync(src, bytes);
    // The handshake and the first MiB pass; the rest is held for good.
    const gate = await gateProxy(hosts.servers[19]?.port as number, 1024 * 1024);
    const began = Date.now();
    const r = await runCli([
      'put',
      '--insecure',
      '--json',
      '--timeout',
      '3s',
      '-H',
      `${list(0, 3)},127.0.0.1:${gate.port}`,
      src,
      'stall.bin',
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(Date.now() - began < 20_000, 'ended near the deadline, not when the held bytes might flow');
    const ends = jsonLines(r.stdout).filter((l) => l.exit !== undefined || (l.error !== undefined && !('file' in l)));
    assert.equal(ends.find((e) => e.host === `127.0.0.1:${gate.port}`)?.error, 'TIMEOUT');
    assert.equal(ends.filter((e) => e.exit === 0).length, 3);
    for (const dir of hosts.dirs.slice(0, 3)) assert.ok(readFileSync(path.join(dir, 'stall.bin')).equals(bytes));
  });

  it('usage: a HOST: in the remote path and a missing local source are refused before connecting; -P and -o Port give the default port', async () => {
    const colon = await runCli(['put', '--insecure', '-H', list(0, 2), 'package.json', 'web1:/srv']);
    assert.equal(colon.code, 2);
    assert.match(colon.stderr, /remote paths have no HOST: part/);
    // -P and -o Port are the port of a host that names none, as for one host.
    const port = String(hosts.servers[0]?.port);
    for (const flags of [
      ['-P', port],
      ['-o', `Port=${port}`],
    ]) {
      const r = await runCli(['put', '--insecure', ...flags, '-H', '127.0.0.1', 'package.json', 'from-flag.json']);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal(
      readFileSync(path.join(hosts.dirs[0] as string, 'from-flag.json'), 'utf8'),
      readFileSync('package.json', 'utf8'),
    );
    const missing = await runCli(['put', '--insecure', '-H', list(0, 2), 'no-such-file', '.']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no-such-file: no such file or directory/);
  });
});

describe('get -H', () => {
  it("each host's file lands in DIR/HOST/, byte-exact; a missing file on one host is exit 1 with the reason in the summary", async () => {
    const contents = hosts.dirs.map((dir, i) => {
      const body = Buffer.concat([Buffer.from(`host ${i}\n`), randomBytes(50_000 + i)]);
      writeFileSync(path.join(dir, 'report.bin'), body);
      mkdirSync(path.join(dir, 'logs'), { recursive: true });
      writeFileSync(path.join(dir, 'logs', 'app.log'), `log of ${i}\n`);
      return body;
    });
    const out = tempDir('framesh-get-');
    const r = await runCli(['get', '--insecure', '-r', '-H', list(0, HOSTS), 'report.bin', 'logs', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(out).sort(), hosts.servers.map((_, i) => nameOf(i)).sort());
    for (const [i, body] of contents.entries()) {
      assert.ok(readFileSync(path.join(out, nameOf(i), 'report.bin')).equals(body), nameOf(i));
      assert.equal(readFileSync(path.join(out, nameOf(i), 'logs', 'app.log'), 'utf8'), `log of ${i}\n`);
    }
    writeFileSync(path.join(hosts.dirs[3] as string, 'only-here.txt'), 'x');
    const some = await runCli([
      'get',
      '--insecure',
      '--summary-only',
      '-H',
      list(2, 5),
      'only-here.txt',
      tempDir('framesh-get-'),
    ]);
    assert.equal(some.code, 1, some.stderr);
    assert.match(
      some.stdout,
      new RegExp(
        `${nameOf(2).replace(/\./g, '\\.')}\\s+1\\s+.*TRANSFER_PLAN: only-here\\.txt: no such file or directory on the server`,
      ),
    );
    assert.match(some.stdout, /3 hosts: 1 ok, 2 failed\n$/);
  });

  it('a down host is reported (255) while the others still arrive', async () => {
    const down = await closedPort();
    const out = tempDir('framesh-get-');
    const r = await runCli(['get', '--insecure', '--json', '-H', `127.0.0.1:${down},${list(0, 4)}`, 'report.bin', out]);
    assert.equal(r.code, 255, r.stderr);
    const ends = jsonLines(r.stdout).filter((l) => l.exit !== undefined || (l.error !== undefined && !('file' in l)));
    assert.equal(ends.find((e) => e.host === `127.0.0.1:${down}`)?.error, 'CONNECTION_REFUSED');
    assert.equal(ends.filter((e) => e.exit === 0).length, 4);
    for (let i = 0; i < 4; i += 1)
      assert.ok(
        readFileSync(path.join(out, nameOf(i), 'report.bin')).equals(
          readFileSync(path.join(hosts.dirs[i] as string, 'report.bin')),
        ),
      );
  });

  it('host names that try to leave DIR (.., ../.., a/b, empty-ish) get a directory of their own inside DIR', async () => {
    const parent = tempDir('framesh-get-parent-');
    const out = path.join(parent, 'DIR');
    const config = path.join(tempDir('framesh-config-'), 'config');
    const names = ['..', '../../escape', 'a/b', '.', '%2E%2E'];
    // Inventories refuse such names; a config alias (or -H) can still spell them, so DIR/HOST/ must not trust them.
    writeFileSync(
      config,
      [
        ...names.flatMap((n, i) => [`Host ${n}`, `  Port ${hosts.servers[i]?.port}`]),
        'Host *',
        '  HostName 127.0.0.1',
        '  Insecure yes',
      ].join('\n'),
    );
    for (const [i, dir] of hosts.dirs.slice(0, names.length).entries())
      writeFileSync(path.join(dir, 'named.txt'), `from ${i}\n`);
    const r = await runCli(['get', '-F', config, '-H', names.join(','), 'named.txt', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(parent), ['DIR'], 'nothing written beside DIR');
    assert.deepEqual(readdirSync(out).sort(), ['%252E%252E', '%2E', '%2E%2E', '..%2F..%2Fescape', 'a%2Fb'].sort());
    for (const [i, n] of names.entries()) {
      assert.equal(readFileSync(path.join(out, hostDirectoryName(n), 'named.txt'), 'utf8'), `from ${i}\n`, n);
    }
    assert.equal(hostDirectoryName('nl\nx'), 'nl%0Ax');
    assert.throws(() => hostDirectoryName(''), PlanError);
  });
});

describe('library: fanoutPut and fanoutGet', () => {
  it('events and results for every host; get writes DIR/HOST/ and reports each file with its SHA-256', async () => {
    const targets = selectHosts({ hostList: [list(10, 16)], overrides: { insecure: true }, defaultPort: 7022 });
    const src = path.join(tempDir('framesh-lib-'), 'lib.bin');
    const bytes = randomBytes(400_000);
    writeFileSync(src, bytes);
    const put = fanoutPut(targets, src, 'lib.bin', { parallel: 3 });
    const events: TransferFanoutEvent[] = [];
    for await (const event of put) events.push(event);
    const results = await put.results;
    assert.deepEqual(
      results.map((o) => [o.host, o.code, o.bytes]),
      targets.map((t) => [t.name, 0, bytes.length]),
    );
    assert.equal(events.filter((e) => e.type === 'file').length, 6);
    assert.ok(events.some((e) => e.type === 'progress' && e.bytes === bytes.length && e.total === bytes.length));
    const out = tempDir('framesh-lib-out-');
    const get = fanoutGet(targets, 'lib.bin', out, { events: false });
    const got = await get.results;
    assert.ok(got.every((o) => o.code === 0 && o.reached));
    for (const t of targets)
      assert.ok(readFileSync(path.join(out, hostDirectoryName(t.name), 'lib.bin')).equals(bytes));
  });
});
