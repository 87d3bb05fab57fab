/**
 * What the Ansible tests share: `count` framesh servers in this process (one home, the client key
 * authorized, file root /), an inventory naming them, the environment that points Ansible at
 * contrib/ansible, and a runner for ansible commands. Nothing is started where ansible is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { CLI_ARGS } from '../helpers/cli.js';
import { createServer, type FrameshServer } from '../../src/index.js';
import { generateKeyFiles } from '../../src/security/key-files.js';
import { tempDir } from '../helpers/temp-dirs.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const haveAnsible =
  spawnSync('sh', ['-c', 'command -v ansible && command -v ansible-playbook'], { stdio: 'ignore' }).status === 0;

export interface AnsibleHosts {
  readonly inventory: string;
  readonly work: string;
  /** The framesh program the inventory names (a wrapper running this checkout's CLI). */
  readonly executable: string;
  run(program: string, args: string[]): Promise<{ code: number | null; out: string }>;
}

// Registered when the module loads: an after() made inside a before() hook would run as that hook ends.
const started: FrameshServer[] = [];
after(async () => {
  await Promise.all(started.map((server) => server.close(200)));
});

export async function startAnsibleHosts(count: number): Promise<AnsibleHosts> {
  const home = tempDir('framesh-ansible-home-');
  const work = tempDir('framesh-ansible-');
  const servers: Array<{ server: FrameshServer; port: number }> = [];
  // One home for the servers and the client (its host key is then trusted, as after `npm start`), the
  // client key authorized; the first server makes the host key before the others read it.
  generateKeyFiles(path.join(home, 'id_ed25519'), 'ansible@test');
  writeFileSync(path.join(home, 'authorized_keys'), readFileSync(path.join(home, 'id_ed25519.pub')));
  for (let i = 0; i < count; i += 1) {
    const server = createServer({ home, root: '/', killGraceMs: 500 });
    started.push(server);
    const { port } = await server.listen(0, '127.0.0.1');
    servers.push({ server, port });
  }
  const wrapper = path.join(work, 'framesh');
  // The built CLI when it is current (see helpers/cli.ts), which matters for Ansible's several framesh
  // calls per host; the wrapper runs from Ansible's directories, so tsx is named by its full path.
  const cli = CLI_ARGS.map((a) => `"${a === 'tsx' ? import.meta.resolve('tsx') : a}"`).join(' ');
  writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" ${cli} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const inventory = path.join(work, 'hosts.ini');
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
  const env = {
    ...process.env,
    FRAMESH_HOME: home,
    ANSIBLE_CONNECTION_PLUGINS: path.join(ROOT, 'contrib/ansible/connection'),
    ANSIBLE_LOCAL_TEMP: path.join(work, 'local-tmp'),
    ANSIBLE_REMOTE_TEMP: path.join(work, 'remote-tmp'),
    ANSIBLE_HOME: path.join(work, 'ansible-home'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_FORKS: String(count),
    ANSIBLE_RETRY_FILES_ENABLED: '0',
    ANSIBLE_DEPRECATION_WARNINGS: '0',
  };
  return {
    inventory,
    work,
    executable: wrapper,
    run(program, args) {
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
    },
  };
}
