/**
 * Ansible over framesh: Debian's ansible-core drives 10 loopback `framesh serve` processes through
 * contrib/ansible/connection/framesh.py — an ad-hoc shell command on all of them, and a playbook with
 * copy, command and fetch that ends byte-exact. Skipped (and says so) where ansible is not installed;
 * .ci/run installs it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CLI_ARGS } from '../helpers/cli.js';
import { createServer, type FrameshServer } from '../../src/index.js';
import { generateKeyFiles } from '../../src/security/key-files.js';
import { tempDir } from '../helpers/temp-dirs.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HOSTS = 10;
const haveAnsible = spawnSync('sh', ['-c', 'command -v ansible && command -v ansible-playbook'], { stdio: 'ignore' }).status === 0;

const home = tempDir('framesh-ansible-home-');
const work = tempDir('framesh-ansible-');
const servers: Array<{ server: FrameshServer; port: number }> = [];
let inventory = '';
let env: NodeJS.ProcessEnv = {};

before(async () => {
  if (!haveAnsible) return;
  // One home for the servers and the client (its host key is then trusted, as after `npm start`), the
  // client key authorized; the first server makes the host key before the others read it.
  generateKeyFiles(path.join(home, 'id_ed25519'), 'ansible@test');
  writeFileSync(path.join(home, 'authorized_keys'), readFileSync(path.join(home, 'id_ed25519.pub')));
  for (let i = 0; i < HOSTS; i += 1) {
    const server = createServer({ home, root: '/', killGraceMs: 500 });
    const { port } = await server.listen(0, '127.0.0.1');
    servers.push({ server, port });
  }
  const wrapper = path.join(work, 'framesh');
  // The built CLI when it is current (see helpers/cli.ts), which matters for Ansible's several framesh
  // calls per host; the wrapper runs from Ansible's directories, so tsx is named by its full path.
  const cli = CLI_ARGS.map((a) => `"${a === 'tsx' ? import.meta.resolve('tsx') : a}"`).join(' ');
  writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" ${cli} "$@"\n`);
  chmodSync(wrapper, 0o755);
  inventory = path.join(work, 'hosts.ini');
  writeFileSync(
    inventory,
    [
      '[fleet]',
      ...servers.map((s, i) => `h${i} ansible_host=127.0.0.1 ansible_port=${s.port}`),
      '[all:vars]',
      'ansible_connection=framesh',
      `ansible_framesh_executable=${wrapper}`,
      'ansible_python_interpreter=/usr/bin/python3',
    ].join('\n'),
  );
  env = {
    ...process.env,
    FRAMESH_HOME: home,
    ANSIBLE_CONNECTION_PLUGINS: path.join(ROOT, 'contrib/ansible/connection'),
    ANSIBLE_LOCAL_TEMP: path.join(work, 'local-tmp'),
    ANSIBLE_REMOTE_TEMP: path.join(work, 'remote-tmp'),
    ANSIBLE_HOME: path.join(work, 'ansible-home'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_FORKS: String(HOSTS),
    ANSIBLE_RETRY_FILES_ENABLED: '0',
    ANSIBLE_DEPRECATION_WARNINGS: '0',
  };
});
after(async () => {
  await Promise.all(servers.map((s) => s.server.close(200)));
});

function run(program: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(program, args, { env, cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    }),
  );
}

describe('Ansible connection plugin', { skip: haveAnsible ? false : 'ansible-core is not installed (.ci/run installs it)' }, () => {
  it('an ad-hoc shell command on 10 hosts', { timeout: 300_000 }, async () => {
    const r = await run('ansible', ['all', '-i', inventory, '-m', 'shell', '-a', 'echo hi from $((40 + 2))']);
    assert.equal(r.code, 0, r.out);
    for (let i = 0; i < HOSTS; i += 1) assert.match(r.out, new RegExp(`h${i} \\| CHANGED \\| rc=0 >>\\nhi from 42`), r.out);
  });

  it('a playbook with copy, command and fetch ends byte-exact', { timeout: 300_000 }, async () => {
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
    const r = await run('ansible-playbook', ['-i', inventory, playbook]);
    assert.equal(r.code, 0, r.out);
    const expected = createHash('sha256').update(bytes).digest('hex');
    assert.equal(r.out.split(`"msg": "sum=${expected}"`).length - 1, HOSTS, 'the remote command saw the copied bytes on every host');
    for (let i = 0; i < HOSTS; i += 1) {
      assert.ok(readFileSync(path.join(fetched, `h${i}.bin`)).equals(bytes), `h${i} fetched byte-exact`);
    }
    assert.match(r.out, new RegExp(`ok=4\\s+changed=\\d+\\s+unreachable=0\\s+failed=0`));
  });
});
