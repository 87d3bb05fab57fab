/**
 * Fan-out through the real CLI against real servers on loopback (port 0): 50 hosts driven by one
 * client, every failure kind reported while the others finish, --parallel counted on the servers,
 * --json accounting for every host. (More in fanout-cli-more.test.ts: split to keep each file short.)
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli, tempHome } from '../helpers/cli.js';
import { startCuttableProxy } from '../helpers/cuttable-proxy.js';
import { startSecureServer } from '../helpers/secure.js';
import { startTestServer, type TestServer } from '../helpers/servers.js';
import { jsonLines, silentServer, startFanoutHosts, type FanoutHosts } from './fanout-fixture.js';

const HOSTS = 50;
let hosts: FanoutHosts;
let servers: TestServer[] = [];
let dirs: string[] = [];
const list = (from: number, to: number): string => hosts.list(from, to);

before(async () => {
  hosts = await startFanoutHosts(HOSTS);
  servers = hosts.servers;
  dirs = hosts.dirs;
});

describe('fan-out exec', () => {
  it('50 hosts: every line whole, prefixed, in order per host; exit 0 and a summary with --summary-only', async () => {
    const r = await runCli(['exec', '--insecure', '-n', '-H', list(0, HOSTS), '--', 'pwd; seq 1 300; printf tail']);
    assert.equal(r.code, 0, r.stderr);
    const byHost = new Map<string, string[]>();
    for (const line of r.stdout.split('\n').filter(Boolean)) {
      const m = /^\[(127\.0\.0\.1:\d+)\] (.*)$/.exec(line);
      assert.ok(m, `a prefixed line: ${JSON.stringify(line)}`);
      byHost.set(m[1] as string, [...(byHost.get(m[1] as string) ?? []), m[2] as string]);
    }
    assert.equal(byHost.size, HOSTS);
    for (const [i, s] of servers.entries()) {
      const lines = byHost.get(`127.0.0.1:${s.port}`) ?? [];
      assert.deepEqual(lines, [dirs[i], ...Array.from({ length: 300 }, (_, n) => String(n + 1)), 'tail']);
    }
    const summary = await runCli(['exec', '--insecure', '-n', '--summary-only', '-H', list(0, 5), '--', 'exit 0']);
    assert.equal(summary.code, 0);
    assert.match(summary.stdout, /^HOST\s+EXIT\s+TIME\s+BYTES\s+ERROR\n/);
    assert.match(summary.stdout, /5 hosts: 5 ok, 0 failed\n$/);
  });

  it('exit status 1 when a command fails, stderr lines marked, --group blocks', async () => {
    writeFileSync(path.join(dirs[1] as string, 'flag'), '');
    const r = await runCli([
      'exec',
      '--insecure',
      '-n',
      '--group',
      '-H',
      list(0, 3),
      '--',
      'echo out; echo err >&2; test ! -e flag',
    ]);
    assert.equal(r.code, 1, r.stderr);
    const blocks = r.stdout.split(/^=== /m).filter(Boolean);
    assert.equal(blocks.length, 3);
    for (const block of blocks)
      assert.match(block, /^127\.0\.0\.1:\d+ ===\n\[127\.0\.0\.1:\d+\] out\n\[127\.0\.0\.1:\d+\]! err\n$/);
  });

  it('a host down, a wrong fingerprint, a hang past --timeout and a drop mid-output are each reported while the others finish', async () => {
    const down = await silentServer().then(async (p) => {
      // a port with nothing listening: take one and close it
      const s = net.createServer();
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      const port = (s.address() as net.AddressInfo).port;
      await new Promise<void>((r) => s.close(() => r()));
      return { hang: p, closed: port };
    });
    const tls = await startSecureServer();
    const dropping = await startTestServer();
    const proxy = await startCuttableProxy(dropping.port);
    const home = tempHome();
    const config = path.join(home, 'config');
    writeFileSync(
      config,
      [
        'Host tls-wrong',
        '  HostName 127.0.0.1',
        `  Port ${tls.port}`,
        `  Fingerprint SHA256:${'A'.repeat(43)}`,
        '  IdentityFile ' + path.join(tls.clientHome, 'id_ed25519'),
        '  Insecure no',
        'Host *',
        '  Insecure yes',
      ].join('\n'),
    );
    void proxy.cutAfter(50_000, 'down');
    const hosts = [
      list(0, 10),
      `127.0.0.1:${down.closed}`,
      'tls-wrong',
      `127.0.0.1:${down.hang}`,
      `127.0.0.1:${proxy.port}`,
    ].join(',');
    const r = await runCli(
      ['exec', '-F', config, '-n', '--json', '--timeout', '3s', '-H', hosts, '--', 'seq 1 200000 | head -c 400000'],
      { env: { FRAMESH_HOME: home } },
    );
    assert.equal(r.code, 255, r.stderr);
    const ends = jsonLines(r.stdout).filter((l) => l.exit !== undefined || l.error !== undefined);
    assert.equal(ends.length, 14, 'one end per host');
    const byHost = new Map(ends.map((e) => [e.host, e]));
    assert.equal(byHost.get(`127.0.0.1:${down.closed}`)?.error, 'CONNECTION_REFUSED');
    assert.equal(byHost.get('tls-wrong')?.error, 'HOST_KEY_MISMATCH');
    assert.equal(byHost.get(`127.0.0.1:${down.hang}`)?.error, 'TIMEOUT');
    // Cut between frames the client sees the connection end; cut inside one, a frame left unfinished.
    assert.match(
      byHost.get(`127.0.0.1:${proxy.port}`)?.error ?? '',
      /^(CONNECTION_RESET|CONNECTION_CLOSED|UNEXPECTED_EOF)$/,
    );
    for (const s of servers.slice(0, 10)) assert.equal(byHost.get(`127.0.0.1:${s.port}`)?.exit, 0);
  });

  it('--parallel 4 never has more than 4 connections open', async () => {
    hosts.resetMaxOpen();
    const r = await runCli(['exec', '--insecure', '-n', '--parallel', '4', '-H', list(0, 20), '--', 'sleep 0.1']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(hosts.maxOpen() <= 4, `at most 4 open, saw ${hosts.maxOpen()}`);
    assert.ok(hosts.maxOpen() >= 2, `ran in parallel (${hosts.maxOpen()})`);
  });

  it('--json accounts for every host, with output objects', async () => {
    const r = await runCli(['exec', '--insecure', '-n', '--json', '-H', list(0, HOSTS), '--', 'echo hi']);
    assert.equal(r.code, 0);
    const lines = jsonLines(r.stdout);
    assert.equal(lines.filter((l) => l.exit === 0).length, HOSTS);
    assert.equal(lines.filter((l) => l.stream === 'stdout' && l.data === 'hi\n').length, HOSTS);
  });
});
