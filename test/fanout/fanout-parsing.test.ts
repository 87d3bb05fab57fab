import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClientConfig } from '../../src/fanout/client-config.js';
import { EventQueue } from '../../src/fanout/event-queue.js';
import { applyLimit, selectHosts } from '../../src/fanout/host-selection.js';
import { parseIniInventory, parseYamlInventory } from '../../src/fanout/inventory.js';
import { LinePrefixer } from '../../src/fanout/line-prefixer.js';
import { expandHostRange, globMatch, hostPatternsMatch } from '../../src/fanout/patterns.js';
import { fanoutExitStatus, summaryTable } from '../../src/fanout/summary.js';
import type { HostOutcome } from '../../src/fanout/fanout.js';

const FP = `SHA256:${'A'.repeat(43)}`;

describe('host patterns and ranges', () => {
  it('globs as ssh_config reads them', () => {
    assert.ok(globMatch('*.prod', 'web1.prod'));
    assert.ok(!globMatch('*.prod', 'web1.prod.x'));
    assert.ok(globMatch('web?', 'web1'));
    assert.ok(!globMatch('web?', 'web12'));
    assert.ok(globMatch('*', ''));
    assert.ok(hostPatternsMatch(['*.prod', '!bastion.prod'], 'web.prod'));
    assert.ok(!hostPatternsMatch(['*.prod', '!bastion.prod'], 'bastion.prod'));
    assert.ok(!hostPatternsMatch(['!x'], 'y'), 'a line of only negations matches nothing');
  });

  it('expands Ansible ranges, keeping leading zeros, letters and steps', () => {
    assert.deepEqual(expandHostRange('web[01:03]'), ['web01', 'web02', 'web03']);
    assert.deepEqual(expandHostRange('db-[a:c].x'), ['db-a.x', 'db-b.x', 'db-c.x']);
    assert.deepEqual(expandHostRange('n[1:7:3]'), ['n1', 'n4', 'n7']);
    assert.deepEqual(expandHostRange('r[1:2]c[1:2]'), ['r1c1', 'r1c2', 'r2c1', 'r2c2']);
    assert.deepEqual(expandHostRange('plain'), ['plain']);
    assert.throws(() => expandHostRange('web[3:1]'), { code: 'INVENTORY' });
    assert.throws(() => expandHostRange('web[1:'), { code: 'INVENTORY' });
    assert.throws(() => expandHostRange('web[0:9999999]'), { code: 'INVENTORY', message: /too large/ });
  });
});

describe('client configuration file', () => {
  const text = [
    '# global settings apply to all hosts and come first',
    'ConnectTimeout 7s',
    'Host web1',
    '  HostName 10.0.0.5',
    '  Port=7100',
    `  Fingerprint ${FP}`,
    'Host *.prod !bastion.prod',
    '  Port 7200',
    '  IdentityFile /keys/prod',
    'Host *',
    '  Port 7300',
    '  HostName should-not-win-for-web1',
    'Group web web1 web[02:03]',
  ].join('\n');
  const config = parseClientConfig(text, 'cfg');

  it('first match wins per setting, wildcards and negation apply', () => {
    assert.deepEqual(config.settingsFor('web1'), {
      connectTimeoutMs: 7000,
      hostName: '10.0.0.5',
      port: 7100,
      fingerprint: FP,
    });
    assert.deepEqual(config.settingsFor('api.prod'), {
      connectTimeoutMs: 7000,
      port: 7200,
      identityFile: '/keys/prod',
      hostName: 'should-not-win-for-web1',
    });
    assert.equal(config.settingsFor('bastion.prod').port, 7300);
    assert.deepEqual(config.group('web'), ['web1', 'web02', 'web03']);
    assert.deepEqual(
      config.explain('web1').map((b) => b.line),
      [0, 3, 10],
    );
  });

  it('says which file and line is wrong', () => {
    assert.throws(() => parseClientConfig('Host a\n  Prot 1', 'f'), {
      code: 'CONFIG',
      message: /^f:2: unknown setting "Prot"/,
    });
    assert.throws(() => parseClientConfig('Host a\n  Port 99999', 'f'), {
      code: 'CONFIG',
      message: /^f:2: expected a port 1-65535/,
    });
    assert.throws(() => parseClientConfig('Host\n', 'f'), { code: 'CONFIG', message: /^f:1: Host needs/ });
    assert.throws(() => parseClientConfig('Group g a\nPort 1', 'f'), {
      code: 'CONFIG',
      message: /^f:2: Port after a Group/,
    });
    assert.throws(() => parseClientConfig('Host a\n ConnectTimeout soon', 'f'), {
      code: 'CONFIG',
      message: /^f:2: expected a duration/,
    });
    assert.throws(() => parseClientConfig('Host a\n StrictHostKeyChecking maybe', 'f'), {
      code: 'CONFIG',
      message: /^f:2: StrictHostKeyChecking is one of/,
    });
    assert.throws(() => parseClientConfig('Host a\n Insecure perhaps', 'f'), {
      code: 'CONFIG',
      message: /^f:2: Insecure is yes or no/,
    });
    assert.throws(() => parseClientConfig('just words here', 'f'), { code: 'CONFIG', message: /^f:1:/ });
  });
});

describe('inventories', () => {
  it('reads Ansible INI: groups, children, vars, ranges, ansible_host/port', () => {
    const inv = parseIniInventory(
      [
        'lone ansible_port=7001',
        '[web]',
        'web[01:03] ansible_host=127.0.0.1',
        '[db]',
        'db1 ansible_host=10.1.1.1 ansible_port=7005 role=primary',
        '[prod:children]',
        'web',
        'db',
        '[prod:vars]',
        'ansible_port=7009',
        'tier=prod ; a comment',
      ].join('\n'),
    );
    assert.deepEqual(inv.groups.get('web'), ['web01', 'web02', 'web03']);
    assert.deepEqual(inv.groups.get('prod'), ['web01', 'web02', 'web03', 'db1']);
    assert.equal(inv.groups.get('all')?.length, 5);
    assert.deepEqual(inv.hosts.get('web02')?.vars, { ansible_host: '127.0.0.1', ansible_port: '7009', tier: 'prod' });
    assert.deepEqual(inv.hosts.get('db1')?.vars, {
      ansible_host: '10.1.1.1',
      ansible_port: '7005',
      role: 'primary',
      tier: 'prod',
    });
    assert.deepEqual([...(inv.hosts.get('web01')?.groups ?? [])], ['web', 'prod']);
  });

  it('reads Ansible YAML: nested children, host vars over group vars, ranges', () => {
    const inv = parseYamlInventory(
      [
        'all:',
        '  hosts:',
        '    solo:',
        '      ansible_port: 7001',
        '  children:',
        '    web:',
        '      vars:',
        '        ansible_port: 7100',
        '      hosts:',
        '        web[1:2]:',
        '        web3:',
        '          ansible_port: 7103',
        '      children:',
        '        canary:',
        '          hosts:',
        '            web9:',
      ].join('\n'),
    );
    assert.deepEqual(inv.groups.get('web'), ['web1', 'web2', 'web3', 'web9']);
    assert.deepEqual(inv.groups.get('canary'), ['web9']);
    assert.equal(inv.hosts.get('web1')?.vars.ansible_port, '7100');
    assert.equal(inv.hosts.get('web3')?.vars.ansible_port, '7103');
    assert.equal(inv.hosts.get('web9')?.vars.ansible_port, '7100', 'a child inherits its parent group vars');
    assert.equal(inv.hosts.get('solo')?.vars.ansible_port, '7001');
  });

  it('refuses what it cannot use, with the place', () => {
    assert.throws(() => parseIniInventory('[a:children]\nb\n[b:children]\na\n', 'inv'), {
      code: 'INVENTORY',
      message: /contains itself/,
    });
    assert.throws(() => parseIniInventory('h novalue', 'inv'), {
      code: 'INVENTORY',
      message: /^inv:1: expected key=value/,
    });
    assert.throws(() => parseYamlInventory('all: [1, 2]', 'inv'), { code: 'INVENTORY' });
    assert.throws(() => parseYamlInventory('a: &x\n  children:\n    b: *x\n', 'inv'), { code: 'INVENTORY' });
  });
});

describe('host selection', () => {
  const inv = parseIniInventory(
    '[web]\nweb[1:4] ansible_host=127.0.0.1 ansible_port=7100\n[db]\ndb1 ansible_port=7200\n',
  );
  const config = parseClientConfig('Host web*\n  Port 7999\n  ConnectTimeout 3s\nGroup pair web1 db1', 'cfg');

  it('takes -H lists, @groups and inventories; the command line, then inventory, then config', () => {
    const all = selectHosts({ inventory: inv, config, defaultPort: 7022 });
    assert.deepEqual(
      all.map((t) => `${t.name}=${t.host}:${t.port}`),
      ['web1=127.0.0.1:7100', 'web2=127.0.0.1:7100', 'web3=127.0.0.1:7100', 'web4=127.0.0.1:7100', 'db1=db1:7200'],
    );
    assert.equal(all[0]?.settings.connectTimeoutMs, 3000);
    const picked = selectHosts({ hostList: ['@pair,other:7300', 'web1'], inventory: inv, config, defaultPort: 7022 });
    assert.deepEqual(
      picked.map((t) => `${t.name}=${t.port}`),
      ['web1=7100', 'db1=7200', 'other:7300=7300'],
    );
    const overridden = selectHosts({ hostList: ['web2'], config, overrides: { port: 1234 }, defaultPort: 7022 });
    assert.equal(overridden[0]?.port, 1234);
    assert.throws(() => selectHosts({ hostList: ['@nope'], defaultPort: 7022 }), { code: 'INVENTORY' });
  });

  it('applies Ansible --limit patterns', () => {
    const names = ['web1', 'web2', 'web3', 'web4', 'db1'];
    const input = { inventory: inv, defaultPort: 7022 };
    assert.deepEqual(applyLimit(names, 'web[1-2]*', input), []);
    assert.deepEqual(applyLimit(names, 'web1:db1', input), ['web1', 'db1']);
    assert.deepEqual(applyLimit(names, 'web:!web3', input), ['web1', 'web2', 'web4']);
    assert.deepEqual(applyLimit(names, 'web*:&db', input), []);
    assert.deepEqual(applyLimit(names, '!db', input), ['web1', 'web2', 'web3', 'web4']);
  });
});

describe('output', () => {
  it('prefixes whole lines and never splits a host line across hosts', () => {
    const p = new LinePrefixer('h1', 'stdout');
    assert.equal(p.push(Buffer.from('par')).toString(), '');
    assert.equal(p.push(Buffer.from('tial\nnext\nla')).toString(), '[h1] partial\n[h1] next\n');
    assert.equal(p.end().toString(), '[h1] la\n');
    assert.equal(p.end().toString(), '');
    const e = new LinePrefixer('h2', 'stderr');
    assert.equal(e.push(Buffer.from('oops\n')).toString(), '[h2]! oops\n');
    const long = new LinePrefixer('h', 'stdout');
    const cut = long.push(Buffer.alloc(200 * 1024, 0x61)).toString();
    assert.equal(cut.split('\n').length - 1, 3, 'a 200 KiB line comes out in 64 KiB pieces');
  });

  it('exit status: 0 all ok, 1 a command failed, 255 a host unreachable', () => {
    const ok = (host: string): HostOutcome => ({ host, code: 0, signal: null, durationMs: 5, bytes: 1, reached: true });
    assert.equal(fanoutExitStatus([ok('a'), ok('b')]), 0);
    assert.equal(fanoutExitStatus([ok('a'), { ...ok('b'), code: 3 }]), 1);
    assert.equal(fanoutExitStatus([ok('a'), { ...ok('b'), code: null, signal: 'SIGKILL' }]), 1);
    assert.equal(
      fanoutExitStatus([
        { ...ok('a'), code: 3 },
        { ...ok('b'), code: null, reached: false, error: { code: 'CONNECTION_REFUSED', message: 'x' } },
      ]),
      255,
    );
    assert.equal(
      fanoutExitStatus([{ ...ok('b'), code: null, error: { code: 'TIMEOUT', message: 'x' } }]),
      1,
      'the command ran past --timeout',
    );
    assert.equal(
      fanoutExitStatus([{ ...ok('b'), code: null, reached: false, error: { code: 'TIMEOUT', message: 'x' } }]),
      255,
      'never connected',
    );
    assert.equal(
      fanoutExitStatus([{ ...ok('b'), code: null, error: { code: 'CONNECTION_RESET', message: 'x' } }]),
      255,
      'dropped mid-output',
    );
    assert.equal(
      fanoutExitStatus([{ ...ok('b'), code: null, reached: false, error: { code: 'NOT_STARTED', message: 'x' } }]),
      1,
    );
    const table = summaryTable([
      ok('fine'),
      { ...ok('bad'), code: null, error: { code: 'CONNECTION_REFUSED', message: 'refused' } },
    ]);
    const lines = table.split('\n');
    assert.match(lines[1] as string, /^bad\s+-\s+5ms\s+1\s+CONNECTION_REFUSED: refused$/, 'failed hosts first');
    assert.match(lines[2] as string, /^fine\s+0\s/);
    assert.match(table, /2 hosts: 1 ok, 1 failed/);
  });

  it('the event queue pauses producers past its high-water mark and resumes them at half', async () => {
    const q = new EventQueue<number>(100);
    let resumed = 0;
    assert.equal(
      q.push(1, 60, () => (resumed += 1)),
      true,
    );
    assert.equal(
      q.push(2, 60, () => (resumed += 1)),
      false,
      'over 100 bytes: pause',
    );
    q.close();
    const seen: number[] = [];
    for await (const e of q) {
      seen.push(e);
      // After the first is taken 60 bytes still wait (over half of 100): not yet resumed.
      if (e === 1) assert.equal(resumed, 0);
    }
    assert.deepEqual(seen, [1, 2]);
    assert.equal(resumed, 1, 'resumed once, when at most half the mark remained');
  });
});
