/**
 * Become (sudo) through the framesh Ansible plugin, as root to `nobody`: without a password (no
 * terminal), and with one, which runs the call on a terminal (exec -t, as Ansible's ssh plugin uses -tt)
 * and hands back output without sudo's success marker. Skipped without ansible-core, root or sudo
 * (.ci/run installs ansible-core and sudo).
 *
 * Not covered: sudo actually asking for the password. These tests run as root and sudo never asks
 * root; a real prompt needs an unprivileged account with a password and a sudoers entry, which a test
 * should not add to the machine. The answering code is the state machine of Ansible's ssh plugin
 * (prompt → password → success marker); here it runs up to the point where sudo would ask.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { haveAnsible, startAnsibleHosts, type AnsibleHosts } from './ansible-fixture.js';

const canBecomeNobody = process.getuid?.() === 0 && spawnSync('sudo', ['-n', '-u', 'nobody', 'true'], { stdio: 'ignore' }).status === 0;
let hosts: AnsibleHosts;
let inventory = '';
const run = (program: string, args: string[]): Promise<{ code: number | null; out: string }> => hosts.run(program, args);

before(async () => {
  if (!haveAnsible || !canBecomeNobody) return;
  hosts = await startAnsibleHosts(4);
  inventory = hosts.inventory;
});

describe('Ansible become (sudo)', { skip: !haveAnsible ? 'ansible-core is not installed (.ci/run installs it)' : canBecomeNobody ? false : 'needs root and sudo (apt-get install sudo)' }, () => {
  // Files Ansible leaves for the become user must be reachable by it, and it makes its own there: a
  // temp root like /tmp (world-writable, sticky).
  const becomeTmp = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'framesh-become-'));
    chmodSync(dir, 0o1777);
    return dir;
  };

  it('to nobody without a password: the command runs as nobody, without a terminal', { timeout: 300_000 }, async () => {
    const r = await run('ansible', ['h0:h1', '-i', inventory, '-b', '--become-user', 'nobody', '-e', `ansible_remote_tmp=${becomeTmp()}/tmp`, '-vvv', '-m', 'command', '-a', 'id -un']);
    assert.equal(r.code, 0, r.out);
    assert.equal(r.out.match(/\| CHANGED \| rc=0 >>\nnobody\n/g)?.length, 2, r.out);
    assert.doesNotMatch(r.out, /FRAMESH: .* exec .*-t --escape none/, 'no terminal when no password is needed');
  });

  it('with a become password: the call runs on a terminal (exec -t) and its output comes back clean', { timeout: 300_000 }, async () => {
    const r = await run('ansible', ['h2:h3', '-i', inventory, '-b', '--become-user', 'nobody', '-e', 'ansible_become_password=not-asked-of-root', '-e', `ansible_remote_tmp=${becomeTmp()}/tmp`, '-vvv', '-m', 'shell', '-a', 'id -un']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /FRAMESH: .* exec .*-t --escape none/, 'asked for a terminal');
    assert.equal(r.out.match(/\| CHANGED \| rc=0 >>\nnobody\n/g)?.length, 2, r.out);
    assert.doesNotMatch(r.out, /rc=0 >>\n[^\n]*BECOME-SUCCESS/, "sudo's marker is not part of the output");
  });
});
