/**
 * Become (sudo) through the framesh Ansible plugin. As root to `nobody`: without a password (no
 * terminal), and with one, which runs the call on a terminal (exec -t, as Ansible's ssh plugin uses -tt)
 * and hands back output without sudo's success marker. And a real password prompt: sudo never asks root,
 * so a framesh server runs as a throwaway unprivileged account made for this file (removed after it),
 * allowed by sudoers to become `nobody` with its own password; the plugin answers sudo's prompt on the
 * terminal, and a wrong password ends as "Incorrect sudo password". Skipped without ansible-core, root or
 * sudo (.ci/run installs ansible-core and sudo).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLI_ENTRY } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { haveAnsible, startAnsibleHosts, type AnsibleHosts } from './ansible-fixture.js';

const canBecomeNobody =
  process.getuid?.() === 0 && spawnSync('sudo', ['-n', '-u', 'nobody', 'true'], { stdio: 'ignore' }).status === 0;
let hosts: AnsibleHosts;
let inventory = '';
const run = (program: string, args: string[]): Promise<{ code: number | null; out: string }> =>
  hosts.run(program, args);

before(async () => {
  if (!haveAnsible || !canBecomeNobody) return;
  hosts = await startAnsibleHosts(4);
  inventory = hosts.inventory;
});

describe(
  'Ansible become (sudo)',
  {
    skip: !haveAnsible
      ? 'ansible-core is not installed (.ci/run installs it)'
      : canBecomeNobody
        ? false
        : 'needs root and sudo (apt-get install sudo)',
  },
  () => {
    // Files Ansible leaves for the become user must be reachable by it, and it makes its own there: a
    // temp root like /tmp (world-writable, sticky).
    const becomeTmp = (): string => {
      const dir = tempDir('framesh-become-');
      chmodSync(dir, 0o1777);
      return dir;
    };

    it(
      'to nobody without a password: the command runs as nobody, without a terminal',
      { timeout: 300_000 },
      async () => {
        const r = await run('ansible', [
          'h0:h1',
          '-i',
          inventory,
          '-b',
          '--become-user',
          'nobody',
          '-e',
          `ansible_remote_tmp=${becomeTmp()}/tmp`,
          '-vvv',
          '-m',
          'command',
          '-a',
          'id -un',
        ]);
        assert.equal(r.code, 0, r.out);
        assert.equal(r.out.match(/\| CHANGED \| rc=0 >>\nnobody\n/g)?.length, 2, r.out);
        assert.doesNotMatch(r.out, /FRAMESH: .* exec .*-t --escape none/, 'no terminal when no password is needed');
      },
    );

    it(
      'with a become password: the call runs on a terminal (exec -t) and its output comes back clean',
      { timeout: 300_000 },
      async () => {
        const r = await run('ansible', [
          'h2:h3',
          '-i',
          inventory,
          '-b',
          '--become-user',
          'nobody',
          '-e',
          'ansible_become_password=not-asked-of-root',
          '-e',
          `ansible_remote_tmp=${becomeTmp()}/tmp`,
          '-vvv',
          '-m',
          'shell',
          '-a',
          'id -un',
        ]);
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /FRAMESH: .* exec .*-t --escape none/, 'asked for a terminal');
        assert.equal(r.out.match(/\| CHANGED \| rc=0 >>\nnobody\n/g)?.length, 2, r.out);
        assert.doesNotMatch(r.out, /rc=0 >>\n[^\n]*BECOME-SUCCESS/, "sudo's marker is not part of the output");
      },
    );
  },
);

const canMakeAccount =
  canBecomeNobody &&
  ['useradd', 'userdel', 'chpasswd', 'setpriv', 'visudo'].every(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0,
  );
const ACCOUNT = 'framesh-become-test';
const SUDOERS = `/etc/sudoers.d/${ACCOUNT}`;

describe(
  'Ansible become with a real sudo password prompt',
  {
    skip: !haveAnsible
      ? 'ansible-core is not installed'
      : canMakeAccount
        ? false
        : 'needs root, sudo, useradd and setpriv',
  },
  () => {
    const password = randomBytes(9).toString('base64url');
    let server: ChildProcess | undefined;
    let inventory = '';
    let tmp = '';
    let madeAccount = false;

    before(async () => {
      // A world-traversable base: the account reaches its home and cwd, Ansible's temp dir is like /tmp.
      const base = tempDir('framesh-sudo-');
      chmodSync(base, 0o755);
      if (spawnSync('id', [ACCOUNT], { stdio: 'ignore' }).status !== 0) {
        execFileSync('useradd', ['--no-create-home', '--home-dir', '/nonexistent', '--shell', '/bin/sh', ACCOUNT]);
        madeAccount = true;
      }
      execFileSync('chpasswd', { input: `${ACCOUNT}:${password}\n` });
      writeFileSync(SUDOERS, `${ACCOUNT} ALL=(nobody) ALL\n`, { mode: 0o440 });
      execFileSync('visudo', ['-cf', SUDOERS], { stdio: 'ignore' });
      const uid = Number(execFileSync('id', ['-u', ACCOUNT], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', ACCOUNT], { encoding: 'utf8' }));
      const home = path.join(base, 'home');
      const cwd = path.join(base, 'cwd');
      tmp = path.join(base, 'tmp');
      for (const dir of [home, cwd, tmp]) {
        mkdirSync(dir);
        chownSync(dir, uid, gid);
      }
      chmodSync(tmp, 0o1777);
      const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
      const built = path.join(root, 'dist/cli/main.js');
      const cli = existsSync(built) ? [built] : ['--import', 'tsx', CLI_ENTRY];
      // setpriv execs the server directly (no session process in between), so its pid is the server's.
      server = spawn(
        'setpriv',
        [
          `--reuid=${uid}`,
          `--regid=${gid}`,
          '--init-groups',
          'env',
          `FRAMESH_HOME=${home}`,
          process.execPath,
          ...cli,
          'serve',
          '--insecure',
          '--port',
          '0',
          '--root',
          '/',
          '--cwd',
          cwd,
        ],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const port = await new Promise<number>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`the server as ${ACCOUNT} did not start: ${text}`)), 30_000);
        server?.stdout?.on('data', (c: Buffer) => {
          text += c.toString();
          const m = /listening on .*:(\d+)/.exec(text);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        server?.once('exit', (code) => reject(new Error(`the server as ${ACCOUNT} exited (${code})`)));
      });
      inventory = path.join(base, 'hosts.ini');
      writeFileSync(
        inventory,
        [
          '[fleet]',
          `p0 ansible_host=127.0.0.1 ansible_port=${port}`,
          '[all:vars]',
          'ansible_connection=framesh',
          'ansible_framesh_insecure=true',
          `ansible_framesh_executable=${hosts.executable}`,
          'ansible_python_interpreter=/usr/bin/python3',
        ].join('\n'),
      );
    });

    after(() => {
      server?.kill();
      rmSync(SUDOERS, { force: true });
      if (madeAccount) spawnSync('userdel', [ACCOUNT], { stdio: 'ignore' });
    });

    // From one unprivileged account to another, Ansible's temp files must be readable by both (no ACLs here).
    const become = (pass: string): string[] => [
      'all',
      '-i',
      inventory,
      '-b',
      '--become-user',
      'nobody',
      '-e',
      `ansible_become_password=${pass}`,
      '-e',
      `ansible_remote_tmp=${tmp}/r`,
      '-e',
      'ansible_shell_allow_world_readable_temp=true',
      '-vvv',
      '-m',
      'command',
      '-a',
      'id -un',
    ];

    it(
      'sudo asks on the terminal, the plugin answers, and the command runs as nobody',
      { timeout: 120_000 },
      async () => {
        const r = await run('ansible', become(password));
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /FRAMESH: .* exec .*-t --escape none/);
        assert.match(r.out, /p0 \| CHANGED \| rc=0 >>\nnobody\n/, r.out);
      },
    );

    it('a wrong password ends as "Incorrect sudo password", not a hang', { timeout: 120_000 }, async () => {
      const r = await run('ansible', become(`${password}-wrong`));
      assert.notEqual(r.code, 0, r.out);
      assert.match(
        r.out,
        /p0 \| FAILED! .*\n[\s\S]*Incorrect sudo password|p0 \| FAILED \| rc=-1 >>\nIncorrect sudo password/,
        r.out,
      );
    });
  },
);
