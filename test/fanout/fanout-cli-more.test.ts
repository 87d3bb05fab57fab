/**
 * Fan-out through the real CLI, continued: a slow host, --fail-fast, the stdin rules, Ansible INI and
 * YAML inventories, config aliases and `framesh config`.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli, tempHome } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { delayingProxy, jsonLines, startFanoutHosts, type FanoutHosts } from './fanout-fixture.js';

const HOSTS = 10;
let hosts: FanoutHosts;
let servers: TestServer[] = [];
let dirs: string[] = [];
const list = (from: number, to: number): string => hosts.list(from, to);

before(async () => {
  hosts = await startFanoutHosts(HOSTS);
  servers = hosts.servers;
  dirs = hosts.dirs;
});

describe('fan-out exec, more', () => {
  // The issue asks for hosts in network namespaces behind `tc netem` delay and loss where the machine allows
  // it. This machine does not: checked 2026-12-01 (kernel 6.18, root, iproute2), `ip netns add` works but
  // `tc qdisc add dev lo root netem delay 10ms` inside it fails with "Specified qdisc kind is unknown": the
  // kernel has no sch_netem built in and no modules to load (modprobe finds no /lib/modules). The delaying TCP proxy (fanout-fixture.ts) stands in:
  // it holds every chunk 1.5 s each way, which is what makes a host slow for this test (a delay, not loss).
  it('a slow host does not hold back the fast ones', async () => {
    const slow = await startTestServer();
    const proxy = await delayingProxy(slow.port, 1500);
    const r = await runCli([
      'exec',
      '--insecure',
      '-n',
      '--json',
      '-H',
      `127.0.0.1:${proxy},${list(0, 8)}`,
      '--',
      'echo hi',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const exits = jsonLines(r.stdout).filter((l) => l.exit !== undefined);
    assert.equal(exits.at(-1)?.host, `127.0.0.1:${proxy}`, 'the slow host ends last');
    const fastest = Math.max(...exits.slice(0, -1).map((e) => e.durationMs ?? 0));
    assert.ok(fastest < (exits.at(-1)?.durationMs ?? 0), 'every fast host finished before the slow one');
  });

  it('--fail-fast starts no more hosts after the first failure', async () => {
    const r = await runCli([
      'exec',
      '--insecure',
      '-n',
      '--json',
      '--parallel',
      '1',
      '--fail-fast',
      '-H',
      list(0, 6),
      '--',
      'exit 3',
    ]);
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
    writeFileSync(
      ini,
      [
        `[web]`,
        `web[1:3] ansible_host=127.0.0.1 ansible_port=${a?.port}`,
        `[db]`,
        `db1 ansible_host=127.0.0.1 ansible_port=${b?.port}`,
        `[prod:children]`,
        `web`,
        `db`,
        `[other]`,
        `x ansible_host=127.0.0.1 ansible_port=${c?.port}`,
      ].join('\n'),
    );
    const yaml = path.join(dir, 'hosts.yml');
    writeFileSync(
      yaml,
      [
        'all:',
        '  children:',
        '    prod:',
        '      children:',
        '        web:',
        '          hosts:',
        '            web[1:3]:',
        '          vars:',
        '            ansible_host: 127.0.0.1',
        `            ansible_port: ${a?.port}`,
        '        db:',
        '          hosts:',
        '            db1:',
        `              ansible_port: ${b?.port}`,
        '              ansible_host: 127.0.0.1',
      ].join('\n'),
    );
    for (const file of [ini, yaml]) {
      const r = await runCli([
        'exec',
        '--insecure',
        '-n',
        '--json',
        '--hosts',
        file,
        '--limit',
        'prod:!web2',
        '--',
        'pwd',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const out = jsonLines(r.stdout).filter((l) => l.stream === 'stdout');
      assert.deepEqual(out.map((l) => l.host).sort(), ['db1', 'web1', 'web3'], file);
      assert.equal(out.find((l) => l.host === 'db1')?.data, `${dirs[1]}\n`);
    }
  });

  it('config aliases for a single host, and framesh config HOST', async () => {
    const home = tempHome();
    const s = servers[4] as TestServer;
    writeFileSync(
      path.join(home, 'config'),
      [
        'Host box',
        '  HostName 127.0.0.1',
        `  Port ${s.port}`,
        '  Insecure yes',
        'Host *',
        '  Port 1',
        '  ConnectTimeout 4s',
      ].join('\n'),
    );
    const r = await runCli(['exec', '-n', 'box', '--', 'pwd'], { env: { FRAMESH_HOME: home } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${dirs[4]}\n`);
    const shown = await runCli(['config', 'box'], { env: { FRAMESH_HOME: home } });
    assert.equal(shown.code, 0);
    assert.match(
      shown.stdout,
      new RegExp(
        `^host box\\nhostname 127.0.0.1\\nport ${s.port}\\nconnecttimeout 4000ms\\ninsecure yes\\n# from .*config:1: Host box\\n# from .*config:5: Host \\*\\n$`,
      ),
    );
    const bad = await runCli(['config', 'box', '-F', path.join(home, 'missing')], { env: { FRAMESH_HOME: home } });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /cannot read/);
  });
});
