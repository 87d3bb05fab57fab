/**
 * Every launcher (src/server/process/) behaves the same: the posix_spawn addon, child_process in the
 * server, the helper pool and the adaptive mix of the two, each chosen as FRAMESH_LAUNCHER would choose
 * it. Output, stdin, exit codes, signals, spawn errors, process groups (cancel, timeout, disconnect),
 * no zombies after 1000 commands, no descriptor leaked into a child, default signal dispositions.
 * Under CI the addon must have been built; elsewhere its tests are skipped with the reason.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { ExecCall, FrameshClient } from '../../src/index.js';
import { chooseLauncher, LAUNCHER_KINDS } from '../../src/server/process/default-launcher.js';
import type { LaunchSpec, ProcessLauncher, RunningProcess } from '../../src/server/process/launcher.js';
import { loadNativeSpawn } from '../../src/server/process/native-spawn-addon.js';
import { SpawnError } from '../../src/server/process/spawn-error.js';
import { waitForGroupGone, livingGroupMembers } from '../helpers/processes.js';
import { runCli, startServeProcess } from '../helpers/cli.js';
import { startTestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

const tmp = tempDir('framesh-matrix-');
const native = loadNativeSpawn();
const nativeSkip =
  native.addon || process.env.CI === 'true'
    ? false
    : `posix_spawn addon unavailable: ${'reason' in native ? native.reason : ''}`;

const launchers: ProcessLauncher[] = [];
after(() => Promise.all(launchers.map((l) => l.close())));

const sh = (command: string, cwd = tmp): LaunchSpec => ({
  file: '/bin/sh',
  args: ['-c', command],
  cwd,
  env: process.env,
});

function collect(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.once('end', () => resolve(text));
    stream.once('error', reject);
  });
}

async function finish(proc: RunningProcess, input?: string) {
  proc.stdin.end(input);
  const [stdout, stderr, status] = await Promise.all([collect(proc.stdout), collect(proc.stderr), proc.exited]);
  return { stdout, stderr, ...status };
}

async function spawnErrorCode(launcher: ProcessLauncher, spec: LaunchSpec): Promise<string> {
  try {
    await finish(await launcher.launch(spec));
  } catch (err) {
    assert.ok(err instanceof SpawnError, `expected a SpawnError, got ${String(err)}`);
    return err.code;
  }
  assert.fail('launch succeeded');
}

/** Zombie children of this process and of its helper processes (their ppid is one of `parents`). */
function zombiesOf(parents: Set<number>): number[] {
  const zombies: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' && parents.has(Number(fields[1]))) zombies.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return zombies;
}

/** This process's descriptors above 2 without O_CLOEXEC: ones it inherited, which fork+exec passes on. */
function inheritedFds(): string[] {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      const flags = /flags:\s+(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
      return Number(fd) > 2 && flags !== undefined && (parseInt(flags, 8) & 0o2000000) === 0;
    } catch {
      return false;
    }
  });
}

const TREE = 'sleep 60 & a=$!; sleep 60 & b=$!; echo $$ $a $b ready; wait';
async function startProcessTree(call: ExecCall): Promise<number> {
  call.stdin.end();
  let text = '';
  call.stdout.on('data', (c: Buffer) => (text += c.toString()));
  while (!/ready\n/.test(text)) await once(call.stdout, 'data');
  return Number(text.trim().split(/\s+/)[0]);
}

for (const kind of LAUNCHER_KINDS) {
  describe(`launcher "${kind}"`, { skip: kind === 'native' ? nativeSkip : false }, () => {
    let launcher: ProcessLauncher;
    before(() => {
      const chosen = chooseLauncher(kind, { size: 2 });
      launcher = chosen.launcher;
      launchers.push(launcher);
      if (kind === 'native') assert.match(chosen.description, /^posix_spawn/, 'CI must build and load the addon');
    });

    it('passes stdin through and keeps stdout, stderr and the exit code apart', async () => {
      const result = await finish(await launcher.launch(sh('cat; echo err >&2; exit 3')), 'in\n');
      assert.deepEqual(result, { stdout: 'in\n', stderr: 'err\n', code: 3, signal: null });
    });

    it('reports the exact signal that ended a command', async () => {
      const result = await finish(await launcher.launch(sh('kill -USR1 $$')));
      assert.deepEqual([result.code, result.signal], [null, 'SIGUSR1']);
    });

    it('finds programs on the PATH of the command environment, not the server', async () => {
      const bin = path.join(tmp, `bin-${kind}`);
      mkdirSync(bin, { recursive: true });
      writeFileSync(path.join(bin, 'framesh-only-here'), '#!/bin/sh\necho "found $1"\n');
      chmodSync(path.join(bin, 'framesh-only-here'), 0o755);
      const env = { ...process.env, PATH: `${bin}:/usr/bin:/bin` };
      const result = await finish(await launcher.launch({ file: 'framesh-only-here', args: ['x'], cwd: tmp, env }));
      assert.deepEqual(result, { stdout: 'found x\n', stderr: '', code: 0, signal: null });
      // A script without #! runs through /bin/sh, as execvp does.
      writeFileSync(path.join(bin, 'no-shebang'), 'echo "plain $1"\n');
      chmodSync(path.join(bin, 'no-shebang'), 0o755);
      assert.equal(
        (await finish(await launcher.launch({ file: 'no-shebang', args: ['y'], cwd: tmp, env }))).stdout,
        'plain y\n',
      );
    });

    it('reports spawn failures with the wire codes', async () => {
      const script = path.join(tmp, 'not-executable.sh');
      writeFileSync(script, '#!/bin/sh\necho hi\n');
      chmodSync(script, 0o644);
      const regularFile = path.join(tmp, 'a-file');
      writeFileSync(regularFile, '');
      const spec = (file: string): LaunchSpec => ({ file, args: [], cwd: tmp, env: process.env });
      assert.equal(await spawnErrorCode(launcher, spec('framesh-no-such-program')), 'ENOENT_COMMAND');
      assert.equal(await spawnErrorCode(launcher, spec(path.join(tmp, 'no-such-file'))), 'ENOENT_COMMAND');
      assert.equal(await spawnErrorCode(launcher, sh('true', path.join(tmp, 'missing-dir'))), 'ENOENT_CWD');
      assert.equal(await spawnErrorCode(launcher, sh('true', regularFile)), 'ENOENT_CWD');
      assert.equal(await spawnErrorCode(launcher, spec(script)), 'EACCES');
      assert.equal(await spawnErrorCode(launcher, spec(tmp)), 'EACCES');
      // A NUL byte would cut the argument short in C: refused, nothing runs.
      assert.equal(
        await spawnErrorCode(launcher, { file: 'echo', args: ['a\0b'], cwd: tmp, env: process.env }),
        'SPAWN_FAILED',
      );
      assert.equal(
        await spawnErrorCode(launcher, { file: '/bin/echo', args: [], cwd: tmp, env: { X: 'a\0b' } }),
        'SPAWN_FAILED',
      );
    });

    it('runs the command in its cwd with exactly its environment', async () => {
      const result = await finish(
        await launcher.launch({ file: '/bin/sh', args: ['-c', 'pwd; env'], cwd: tmp, env: { ONLY: 'this' } }),
      );
      const lines = result.stdout.trim().split('\n');
      assert.equal(lines[0], tmp);
      assert.ok(lines.includes('ONLY=this'));
      assert.ok(!lines.some((line) => line.startsWith('HOME=')), 'nothing of the server environment leaks in');
    });

    it('starts each command leading its own session and process group; signalGroup reaches all of it', async () => {
      const proc = await launcher.launch(sh('sleep 30 & sleep 30 & echo ready; wait'));
      proc.stdin.end();
      const firstLine = await new Promise<string>((resolve) =>
        proc.stdout.once('data', (chunk: Buffer) => resolve(String(chunk))),
      );
      assert.equal(firstLine, 'ready\n');
      const stat = readFileSync(`/proc/${proc.pid}/stat`, 'utf8');
      const [, , pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      assert.deepEqual([Number(pgrp), Number(session)], [proc.pid, proc.pid]);
      assert.ok(livingGroupMembers(proc.pid).length >= 3, 'shell and both sleeps share the group');
      proc.stdout.resume();
      proc.stderr.resume();
      proc.signalGroup('SIGTERM');
      assert.equal((await proc.exited).signal, 'SIGTERM');
      assert.deepEqual(await waitForGroupGone(proc.pid), []);
    });

    it('gives the command no signal ignored or blocked (Node ignores SIGPIPE) and no extra descriptor', async () => {
      const status = await finish(
        await launcher.launch({
          file: 'grep',
          args: ['-E', '^Sig(Ign|Blk)', '/proc/self/status'],
          cwd: tmp,
          env: process.env,
        }),
      );
      assert.deepEqual(
        status.stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => l.replace(/\s+/, ' ')),
        ['SigBlk: 0000000000000000', 'SigIgn: 0000000000000000'],
      );
      // ls opens /proc/self/fd itself as 3; anything beyond 0-3 leaked from the server or a helper. libuv
      // passes on what this process inherited without O_CLOEXEC (the test runner's parent may leave some);
      // the addon closes those too.
      const fds = await finish(
        await launcher.launch({ file: 'ls', args: ['-1', '/proc/self/fd'], cwd: tmp, env: process.env }),
      );
      const allowed = new Set(['0', '1', '2', '3', ...(kind === 'native' ? [] : inheritedFds())]);
      const leaked = fds.stdout
        .trim()
        .split('\n')
        .filter((fd) => !allowed.has(fd));
      assert.deepEqual(leaked, []);
      assert.ok(fds.stdout.trim().split('\n').length >= 4);
    });

    it('delivers every byte of large output, and stdin of a command that exits early fails cleanly', async () => {
      const proc = await launcher.launch({
        file: 'head',
        args: ['-c', String(8 * 1024 * 1024), '/dev/zero'],
        cwd: tmp,
        env: process.env,
      });
      proc.stdin.end();
      let bytes = 0;
      proc.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
      proc.stderr.resume();
      await Promise.all([proc.exited, once(proc.stdout, 'end')]);
      assert.equal(bytes, 8 * 1024 * 1024);
      const early = await launcher.launch(sh('exit 0'));
      early.stdout.resume();
      early.stderr.resume();
      early.stdin.on('error', () => {}); // EPIPE or destroyed: either way no crash
      early.stdin.write(Buffer.alloc(1 << 20));
      assert.deepEqual(await early.exited, { code: 0, signal: null });
    });

    it('leaves no zombie after 1000 commands, with exact output and exit codes', async () => {
      const parents = new Set([process.pid, ...((launcher as { helperPids?: number[] }).helperPids ?? [])]);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < 1000) {
          const i = next++;
          const result = await finish(await launcher.launch(sh(`echo ${i}; exit ${i % 7}`)));
          assert.deepEqual(result, { stdout: `${i}\n`, stderr: '', code: i % 7, signal: null });
        }
      };
      await Promise.all(Array.from({ length: 20 }, worker));
      for (const pid of (launcher as { helperPids?: number[] }).helperPids ?? []) parents.add(pid);
      assert.deepEqual(zombiesOf(parents), []);
    });

    describe('in a server', () => {
      let client: FrameshClient;
      let server: Awaited<ReturnType<typeof startTestServer>>;
      before(async () => {
        server = await startTestServer({ launcher, killGraceMs: 300 });
        client = await server.client();
      });

      it('cancel ends the whole process group', async () => {
        const call = client.exec(TREE);
        const leader = await startProcessTree(call);
        call.cancel();
        assert.equal((await call.exit).reason, 'cancel');
        assert.deepEqual(await waitForGroupGone(leader), []);
      });

      it('a timeout ends the whole group; a child ignoring SIGTERM is killed after the grace', async () => {
        const call = client.exec(TREE, { timeoutMs: 300 });
        const leader = await startProcessTree(call);
        assert.deepEqual([(await call.exit).reason, (await call.exit).signal], ['timeout', 'SIGTERM']);
        assert.deepEqual(await waitForGroupGone(leader), []);
        const stubborn = client.exec("trap '' TERM; echo $$ ready; while :; do sleep 0.05; done", { timeoutMs: 100 });
        const stubbornLeader = await startProcessTree(stubborn);
        assert.equal((await stubborn.exit).signal, 'SIGKILL');
        assert.deepEqual(await waitForGroupGone(stubbornLeader), []);
      });

      it('a client disconnect ends its commands', async () => {
        const other = await server.client();
        const started = new Promise<number>((resolve) =>
          server.server.once('commandStart', (info) => resolve(info.pid)),
        );
        await startProcessTree(other.exec(TREE));
        const leader = await started;
        await other.close();
        assert.deepEqual(await waitForGroupGone(leader), []);
      });

      it('reports spawn failures with stable codes over the wire', async () => {
        await assert.rejects(client.run(['definitely-not-a-command-xyz']), { code: 'ENOENT_COMMAND' });
        await assert.rejects(client.run('pwd', { cwd: '/no/such/dir' }), { code: 'ENOENT_CWD' });
        assert.equal((await client.run('no-such-program-xyz')).code, 127);
      });
    });
  });
}

describe("the addon's watchGone (terminal exits, pty/terminal-process.ts)", { skip: nativeSkip }, () => {
  it('tells when a process it does not reap has exited, and leaves the reaping to its parent', async () => {
    const { spawn } = await import('node:child_process');
    const addon = native.addon!;
    const child = spawn('/bin/sh', ['-c', 'read line; exit 3'], { stdio: ['pipe', 'ignore', 'ignore'] });
    await once(child, 'spawn');
    let gone = false;
    const watched = new Promise<void>((resolve) => {
      assert.equal(
        addon.watchGone(child.pid!, () => {
          gone = true;
          resolve();
        }),
        0,
      );
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(gone, false, 'called while the process ran');
    const exited = once(child, 'exit');
    child.stdin.end('go\n');
    await watched;
    // libuv still reaps its child and reports its status: watchGone took nothing from it.
    assert.deepEqual(await exited, [3, null]);
    // A pid with no process: ESRCH at once.
    const { ESRCH } = (await import('node:os')).constants.errno;
    assert.equal(
      addon.watchGone(2 ** 22 + 1, () => assert.fail('called for no process')),
      ESRCH,
    );
  });
});

describe('chooseLauncher', () => {
  it('says which launcher runs, and rejects an unknown FRAMESH_LAUNCHER', () => {
    const forced = chooseLauncher('child');
    launchers.push(forced.launcher);
    assert.match(forced.description, /child_process\.spawn in the server \(FRAMESH_LAUNCHER\)/);
    assert.throws(() => chooseLauncher('fork-bomb'), /unknown launcher "fork-bomb"/);
    const chosen = chooseLauncher(undefined);
    launchers.push(chosen.launcher);
    assert.match(chosen.description, native.addon ? /^posix_spawn/ : /posix_spawn addon unavailable/);
  });
});

describe('framesh serve names its launcher', () => {
  async function stderrMatching(
    serve: Awaited<ReturnType<typeof startServeProcess>>,
    pattern: RegExp,
  ): Promise<string> {
    const deadline = performance.now() + 10_000;
    while (!pattern.test(serve.stderr())) {
      assert.ok(performance.now() < deadline, `stderr never matched ${pattern}: ${serve.stderr()}`);
      await once(serve.child.stderr, 'data');
    }
    return serve.stderr();
  }

  it('in its ready output and the audit log; FRAMESH_LAUNCHER forces the fallback', async () => {
    const forced = await startServeProcess(['--insecure'], { FRAMESH_LAUNCHER: 'pool' });
    const text = await stderrMatching(forced, /"event":"launcher"/);
    assert.match(
      text,
      /framesh: commands start with child_process\.spawn in a pool of helper processes \(FRAMESH_LAUNCHER\)/,
    );
    assert.match(text, /"launcher":"child_process\.spawn in a pool of helper processes \(FRAMESH_LAUNCHER\)"/);
    const result = await runCli(['exec', '--insecure', `127.0.0.1:${forced.port}`, '--', 'echo pooled']);
    assert.equal(result.stdout, 'pooled\n');
    assert.equal(await forced.stop(), 0);

    const chosen = await startServeProcess(['--insecure'], { FRAMESH_LAUNCHER: '' });
    const expected = native.addon
      ? /commands start with posix_spawn \(native addon\)/
      : /posix_spawn addon unavailable/;
    await stderrMatching(chosen, expected);
    // (serve installs its SIGTERM handler just after the ready line; a command first keeps this test off that race)
    assert.equal(
      (await runCli(['exec', '--insecure', `127.0.0.1:${chosen.port}`, '--', 'echo native'])).stdout,
      'native\n',
    );
    assert.equal(await chosen.stop(), 0);
  });
});
