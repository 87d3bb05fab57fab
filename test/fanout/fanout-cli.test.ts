/**
 * Fan-out through the real CLI against real servers on loopback (port 0): 50 hosts driven by one
 * client, every failure kind reported in the summary while the others finish, --parallel counted on
 * the servers, --json accounting for every host, config aliases, and inventories.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, tempHome } from '../helpers/cli.js';
import { startCuttableProxy } from '../helpers/cuttable-proxy.js';
import { startSecureServer } from '../helpers/secure.js';
import { startTestServer, type TestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

const HOSTS = 50;
let servers: TestServer[] = [];
let dirs: string[] = [];
let open = 0;
let maxOpen = 0;

before(async () => {
  dirs = Array.from({ length: HOSTS }, (_, i) => {
    const dir = path.join(tempDir('framesh-fanout-'), `host${i}`);
    mkdirSync(dir);
    return dir;
  });
  servers = await Promise.all(dirs.map((cwd) => startTestServer({ cwd })));
  for (const s of servers) {
    s.server.on('connection', () => {
      open += 1;
      maxOpen = Math.max(maxOpen, open);
    });
    s.server.on('disconnect', () => (open -= 1));
  }
});

const list = (from: number, to: number): string => servers.slice(from, to).map((s) => `127.0.0.1:${s.port}`).join(',');

interface JsonLine {
  host: string;
  stream?: string;
  data?: string;
  exit?: number | null;
  error?: string;
  durationMs?: number;
}
const jsonLines = (stdout: string): JsonLine[] => stdout.trim().split('\n').map((l) => JSON.parse(l) as JsonLine);

/** A TCP server that accepts and then says nothing: a host that hangs. */
async function silentServer(): Promise<number> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(() => {
    sockets.forEach((s) => s.destroy());
    server.close();
  });
  return (server.address() as net.AddressInfo).port;
}

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
    const r = await runCli(['exec', '--insecure', '-n', '--group', '-H', list(0, 3), '--', 'echo out; echo err >&2; test ! -e flag']);
    assert.equal(r.code, 1, r.stderr);
    const blocks = r.stdout.split(/^=== /m).filter(Boolean);
    assert.equal(blocks.length, 3);
    for (const block of blocks) assert.match(block, /^127\.0\.0\.1:\d+ ===\n\[127\.0\.0\.1:\d+\] out\n\[127\.0\.0\.1:\d+\]! err\n$/);
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
    const hosts = [list(0, 10), `127.0.0.1:${down.closed}`, 'tls-wrong', `127.0.0.1:${down.hang}`, `127.0.0.1:${proxy.port}`].join(',');
    const r = await runCli(['exec', '-F', config, '-n', '--json', '--timeout', '3s', '-H', hosts, '--', 'seq 1 200000 | head -c 400000'], { env: { FRAMESH_HOME: home } });
    assert.equal(r.code, 255, r.stderr);
    const ends = jsonLines(r.stdout).filter((l) => l.exit !== undefined || l.error !== undefined);
    assert.equal(ends.length, 14, 'one end per host');
    const byHost = new Map(ends.map((e) => [e.host, e]));
    assert.equal(byHost.get(`127.0.0.1:${down.closed}`)?.error, 'CONNECTION_REFUSED');
    assert.equal(byHost.get('tls-wrong')?.error, 'HOST_KEY_MISMATCH');
    assert.equal(byHost.get(`127.0.0.1:${down.hang}`)?.error, 'TIMEOUT');
    assert.match(byHost.get(`127.0.0.1:${proxy.port}`)?.error ?? '', /^CONNECTION_/);
    for (const s of servers.slice(0, 10)) assert.equal(byHost.get(`127.0.0.1:${s.port}`)?.exit, 0);
  });

  it('--parallel 4 never has more than 4 connections open', async () => {
    maxOpen = 0;
    const r = await runCli(['exec', '--insecure', '-n', '--parallel', '4', '-H', list(0, 20), '--', 'sleep 0.1']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(maxOpen <= 4, `at most 4 open, saw ${maxOpen}`);
    assert.ok(maxOpen >= 2, `ran in parallel (${maxOpen})`);
  });

  it('--json accounts for every host, with output objects', async () => {
    const r = await runCli(['exec', '--insecure', '-n', '--json', '-H', list(0, HOSTS), '--', 'echo hi']);
    assert.equal(r.code, 0);
    const lines = jsonLines(r.stdout);
    assert.equal(lines.filter((l) => l.exit === 0).length, HOSTS);
    assert.equal(lines.filter((l) => l.stream === 'stdout' && l.data === 'hi\n').length, HOSTS);
  });

  it('a slow host does not hold back the fast ones', async () => {
    const slow = await startTestServer();
    const proxy = await delayingProxy(slow.port, 1500);
    const r = await runCli(['exec', '--insecure', '-n', '--json', '-H', `127.0.0.1:${proxy},${list(0, 8)}`, '--', 'echo hi']);
    assert.equal(r.code, 0, r.stderr);
    const exits = jsonLines(r.stdout).filter((l) => l.exit !== undefined);
    assert.equal(exits.at(-1)?.host, `127.0.0.1:${proxy}`, 'the slow host ends last');
    const fastest = Math.max(...exits.slice(0, -1).map((e) => e.durationMs ?? 0));
    assert.ok(fastest < (exits.at(-1)?.durationMs ?? 0), 'every fast host finished before the slow one');
  });

  it('--fail-fast starts no more hosts after the first failure', async () => {
    const r = await runCli(['exec', '--insecure', '-n', '--json', '--parallel', '1', '--fail-fast', '-H', list(0, 6), '--', 'exit 3']);
    assert.equal(r.code, 1);
    const ends = jsonLines(r.stdout).filter((l) => l.exit !== undefined || l.error !== undefined);
    assert.equal(ends.filter((e) => e.exit === 3).length, 1);
    assert.equal(ends.filter((e) => e.error === 'NOT_STARTED').length, 5);
  });

  it('stdin: refused for many hosts when piped, the same bytes to each with --stdin', async () => {
    const refused = await runCli(['exec', '--insecure', '-H', list(0, 3), '--', 'wc -c'], { input: 'hello\n' });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /refusing to send stdin to 3 hosts/);
    const sent = await runCli(['exec', '--insecure', '--stdin', '-H', list(0, 3), '--', 'wc -c'], { input: 'hello\n' });
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(sent.stdout.split('\n').filter((l) => / 6$/.test(l)).length, 3);
  });

  it('inventories: Ansible INI and YAML with groups, children and ranges pick the right hosts', async () => {
    const dir = tempDir('framesh-inv-');
    const [a, b, c] = servers;
    const ini = path.join(dir, 'hosts.ini');
    writeFileSync(ini, [`[web]`, `web[1:3] ansible_host=127.0.0.1 ansible_port=${a?.port}`, `[db]`, `db1 ansible_host=127.0.0.1 ansible_port=${b?.port}`, `[prod:children]`, `web`, `db`, `[other]`, `x ansible_host=127.0.0.1 ansible_port=${c?.port}`].join('\n'));
    const yaml = path.join(dir, 'hosts.yml');
    writeFileSync(yaml, ['all:', '  children:', '    prod:', '      children:', '        web:', '          hosts:', '            web[1:3]:', '          vars:', '            ansible_host: 127.0.0.1', `            ansible_port: ${a?.port}`, '        db:', '          hosts:', '            db1:', `              ansible_port: ${b?.port}`, '              ansible_host: 127.0.0.1'].join('\n'));
    for (const file of [ini, yaml]) {
      const r = await runCli(['exec', '--insecure', '-n', '--json', '--hosts', file, '--limit', 'prod:!web2', '--', 'pwd']);
      assert.equal(r.code, 0, r.stderr);
      const out = jsonLines(r.stdout).filter((l) => l.stream === 'stdout');
      assert.deepEqual(out.map((l) => l.host).sort(), ['db1', 'web1', 'web3'], file);
      assert.equal(out.find((l) => l.host === 'db1')?.data, `${dirs[1]}\n`);
    }
  });

  it('config aliases for a single host, and framesh config HOST', async () => {
    const home = tempHome();
    const s = servers[4] as TestServer;
    writeFileSync(path.join(home, 'config'), ['Host box', '  HostName 127.0.0.1', `  Port ${s.port}`, '  Insecure yes', 'Host *', '  Port 1', '  ConnectTimeout 4s'].join('\n'));
    const r = await runCli(['exec', '-n', 'box', '--', 'pwd'], { env: { FRAMESH_HOME: home } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${dirs[4]}\n`);
    const shown = await runCli(['config', 'box'], { env: { FRAMESH_HOME: home } });
    assert.equal(shown.code, 0);
    assert.match(shown.stdout, new RegExp(`^host box\\nhostname 127.0.0.1\\nport ${s.port}\\nconnecttimeout 4000ms\\ninsecure yes\\n# from .*config:1: Host box\\n# from .*config:5: Host \\*\\n$`));
    const bad = await runCli(['config', 'box', '-F', path.join(home, 'missing')], { env: { FRAMESH_HOME: home } });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /cannot read/);
  });
});

/** A TCP proxy that holds every chunk for `delayMs` in each direction: a far-away host. */
async function delayingProxy(targetPort: number, delayMs: number): Promise<number> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((inbound) => {
    const outbound = net.connect({ host: '127.0.0.1', port: targetPort });
    sockets.push(inbound, outbound);
    for (const [from, to] of [
      [inbound, outbound],
      [outbound, inbound],
    ] as const) {
      from.on('data', (c) => setTimeout(() => to.write(c), delayMs));
      from.on('error', () => {});
      from.on('close', () => setTimeout(() => to.destroy(), delayMs));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(() => {
    sockets.forEach((s) => s.destroy());
    server.close();
  });
  return (server.address() as net.AddressInfo).port;
}
