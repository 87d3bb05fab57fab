/**
 * Ansible over framesh: Debian's ansible-core drives 10 loopback framesh servers through
 * contrib/ansible/connection/framesh.py — an ad-hoc shell command on all of them, and a playbook with
 * copy, command and fetch that ends byte-exact on five of them. Skipped (and says so) where ansible is not installed;
 * .ci/run installs it. Become (sudo) is in ansible-become.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { haveAnsible, startAnsibleHosts, type AnsibleHosts } from './ansible-fixture.js';

const HOSTS = 10;
/** The playbook runs on half of them: copy, command and fetch per host is what it shows, and the file stays under a minute. */
const PLAY_HOSTS = 5;
let hosts: AnsibleHosts;
let inventory = '';
let work = '';
const run = (program: string, args: string[]): Promise<{ code: number | null; out: string }> =>
  hosts.run(program, args);

before(async () => {
  if (!haveAnsible) return;
  hosts = await startAnsibleHosts(HOSTS);
  inventory = hosts.inventory;
  work = hosts.work;
});

describe(
  'Ansible connection plugin',
  { skip: haveAnsible ? false : 'ansible-core is not installed (.ci/run installs it)' },
  () => {
    it('an ad-hoc shell command on 10 hosts', { timeout: 300_000 }, async () => {
      const r = await run('ansible', ['all', '-i', inventory, '-m', 'shell', '-a', 'echo hi from $((40 + 2))']);
      assert.equal(r.code, 0, r.out);
      for (let i = 0; i < HOSTS; i += 1)
        assert.match(r.out, new RegExp(`h${i} \\| CHANGED \\| rc=0 >>\\nhi from 42`), r.out);
    });

    it('a playbook with copy, command and fetch ends byte-exact on 5 hosts', { timeout: 300_000 }, async () => {
      const payload = path.join(work, 'payload.bin');
      const bytes = randomBytes(3 * 1024 * 1024 + 17);
      writeFileSync(payload, bytes);
      const remote = path.join(work, 'remote');
      const fetched = path.join(work, 'fetched');
      mkdirSync(remote);
      mkdirSync(fetched);
      const playbook = path.join(work, 'play.yml');
      writeFileSync(
        playbook,
        [
          '- hosts: all',
          '  gather_facts: false',
          '  tasks:',
          '    - copy:',
          `        src: ${payload}`,
          `        dest: ${remote}/{{ inventory_hostname }}.bin`,
          '    - command: sha256sum {{ inventory_hostname }}.bin',
          `      args: { chdir: ${remote} }`,
          '      register: sum',
          '    - fetch:',
          `        src: ${remote}/{{ inventory_hostname }}.bin`,
          `        dest: ${fetched}/{{ inventory_hostname }}.bin`,
          '        flat: true',
          '    - debug: { msg: "sum={{ sum.stdout.split()[0] }}" }',
        ].join('\n'),
      );
      const r = await run('ansible-playbook', ['-i', inventory, '--limit', `fleet[0:${PLAY_HOSTS - 1}]`, playbook]);
      assert.equal(r.code, 0, r.out);
      const expected = createHash('sha256').update(bytes).digest('hex');
      assert.equal(
        r.out.split(`"msg": "sum=${expected}"`).length - 1,
        PLAY_HOSTS,
        'the remote command saw the copied bytes on every host',
      );
      for (let i = 0; i < PLAY_HOSTS; i += 1) {
        assert.ok(readFileSync(path.join(fetched, `h${i}.bin`)).equals(bytes), `h${i} fetched byte-exact`);
      }
      assert.match(r.out, new RegExp(`ok=4\\s+changed=\\d+\\s+unreachable=0\\s+failed=0`));
    });
  },
);
