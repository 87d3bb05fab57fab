/**
 * The helper-pool launcher (src/server/process/helper-pool-launcher.ts) must
 * behave exactly like ChildProcessLauncher: same spawn error codes, exact exit
 * codes and signals, process groups, stdin/stdout; and survive its helpers dying.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { Readable } from 'node:stream';
import { HelperPoolLauncher } from '../../src/server/process/helper-pool-launcher.js';
import { AdaptiveLauncher } from '../../src/server/process/adaptive-launcher.js';
import type { LaunchSpec, ProcessLauncher, RunningProcess } from '../../src/server/process/launcher.js';
import { SpawnError } from '../../src/server/process/spawn-error.js';
import { startTestServer } from '../helpers/servers.js';
import { waitForGroupGone, livingGroupMembers } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dirs.js';

const tmp = tempDir('framesh-launcher-');
const launchers: ProcessLauncher[] = [];
after(async () => {
  await Promise.all(launchers.map((l) => l.close()));
  rmSync(tmp, { recursive: true, force: true });
});

function pool(size = 2): HelperPoolLauncher {
  const launcher = new HelperPoolLauncher({ size });
  launchers.push(launcher);
  return launcher;
}

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

async function finish(
  proc: RunningProcess,
  input?: string,
): Promise<{ stdout: string; stderr: string; code: number | null; signal: string | null }> {
  proc.stdin.end(input);
  const [stdout, stderr, status] = await Promise.all([collect(proc.stdout), collect(proc.stderr), proc.exited]);
  return { stdout, stderr, ...status };
}

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    assert.ok(performance.now() < deadline, 'condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function spawnErrorCode(launcher: ProcessLauncher, spec: LaunchSpec): Promise<string> {
  try {
    const proc = await launcher.launch(spec);
    await finish(proc);
  } catch (err) {
    assert.ok(err instanceof SpawnError, `expected a SpawnError, got ${String(err)}`);
    return err.code;
  }
  assert.fail('launch succeeded');
}

describe('HelperPoolLauncher', () => {
  it('passes stdin through and keeps stdout, stderr and the exit code apart', async () => {
    const result = await finish(await pool().launch(sh('cat; echo err >&2; exit 3')), 'in\n');
    assert.deepEqual(result, { stdout: 'in\n', stderr: 'err\n', code: 3, signal: null });
  });

  it('reports the exact signal that ended a command', async () => {
    const result = await finish(await pool().launch(sh('kill -USR1 $$')));
    assert.equal(result.code, null);
    assert.equal(result.signal, 'SIGUSR1');
  });

  it('reports spawn failures with the same codes as ChildProcessLauncher', async () => {
    const launcher = pool();
    const script = path.join(tmp, 'not-executable.sh');
    writeFileSync(script, '#!/bin/sh\necho hi\n');
    chmodSync(script, 0o644);
    assert.equal(
      await spawnErrorCode(launcher, { file: 'framesh-no-such-program', args: [], cwd: tmp, env: process.env }),
      'ENOENT_COMMAND',
    );
    assert.equal(await spawnErrorCode(launcher, sh('true', path.join(tmp, 'missing-dir'))), 'ENOENT_CWD');
    assert.equal(await spawnErrorCode(launcher, { file: script, args: [], cwd: tmp, env: process.env }), 'EACCES');
  });

  it('starts each command as the leader of its own process group, and signalGroup reaches all of it', async () => {
    const proc = await pool().launch(sh('sleep 30 & sleep 30 & echo ready; wait'));
    proc.stdin.end();
    const firstLine = await new Promise<string>((resolve) =>
      proc.stdout.once('data', (chunk: Buffer) => resolve(String(chunk))),
    );
    assert.equal(firstLine, 'ready\n');
    assert.ok(livingGroupMembers(proc.pid).length >= 3, 'shell and both sleeps share the group');
    proc.stdout.resume();
    proc.stderr.resume();
    proc.signalGroup('SIGTERM');
    assert.equal((await proc.exited).signal, 'SIGTERM');
    assert.deepEqual(await waitForGroupGone(proc.pid), []);
  });

  it('delivers every byte of large output', async () => {
    const proc = await pool().launch({
      file: 'head',
      args: ['-c', String(8 * 1024 * 1024), '/dev/zero'],
      cwd: tmp,
      env: process.env,
    });
    proc.stdin.end();
    let bytes = 0;
    proc.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    proc.stderr.resume();
    await Promise.all([proc.exited, new Promise((resolve) => proc.stdout.once('end', resolve))]);
    assert.equal(bytes, 8 * 1024 * 1024);
  });

  it('runs many concurrent launches with exact output and exit codes', async () => {
    const launcher = pool();
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => finish(await launcher.launch(sh(`echo ${i}; exit ${i % 7}`)))),
    );
    results.forEach((result, i) =>
      assert.deepEqual(result, { stdout: `${i}\n`, stderr: '', code: i % 7, signal: null }),
    );
  });

  it('replaces a helper that died: running commands end as killed, new ones run', async () => {
    const launcher = pool(1);
    const running = await launcher.launch(sh('sleep 30'));
    running.stdin.end();
    running.stdout.resume();
    running.stderr.resume();
    const [helperPid] = launcher.helperPids;
    assert.ok(helperPid);
    process.kill(helperPid, 'SIGKILL');
    assert.deepEqual(await running.exited, { code: null, signal: 'SIGKILL' });
    assert.deepEqual(await waitForGroupGone(running.pid), [], 'the orphaned command was killed');
    const result = await finish(await launcher.launch(sh('echo again')));
    assert.deepEqual(result, { stdout: 'again\n', stderr: '', code: 0, signal: null });
    assert.notEqual(launcher.helperPids[0], helperPid);
  });
});

describe('server with a helper pool', () => {
  it('keeps serving after a helper dies', async () => {
    const launcher = pool(1);
    const { client } = await startTestServer({ launcher });
    const c = await client();
    assert.equal((await c.run('echo one')).stdout, 'one\n');
    const killed = launcher.helperPids;
    for (const pid of killed) process.kill(pid, 'SIGKILL');
    // A launch racing the death itself may fail (SPAWN_FAILED: nobody can tell whether it started); after it, all run.
    await waitUntil(() => launcher.helperPids.every((pid) => !killed.includes(pid)));
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => c.run(`echo ${i}`)));
    results.forEach((result, i) => assert.equal(result.stdout, `${i}\n`));
  });

  it('AdaptiveLauncher gives the same results inline and through the pool', async () => {
    const launcher = new AdaptiveLauncher({ size: 2 });
    launchers.push(launcher);
    const { client } = await startTestServer({ launcher });
    const c = await client();
    // One at a time (inline), then many at once (pool).
    assert.deepEqual(await c.run('echo a; exit 4'), { code: 4, signal: null, stdout: 'a\n', stderr: '' });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => c.run(`echo ${i}; echo e >&2`)));
    results.forEach((result, i) =>
      assert.deepEqual(result, { code: 0, signal: null, stdout: `${i}\n`, stderr: 'e\n' }),
    );
    const missing = await c.run('true', { cwd: path.join(tmp, 'nope') }).catch((err: { code: string }) => err.code);
    assert.equal(missing, 'ENOENT_CWD');
  });
});
