import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { ExecCall, FrameshClient } from '../../src/index.js';
import { startTestServer, type TestServer } from '../helpers/servers.js';
import { waitForGroupGone } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dirs.js';

/** Starts a shell with two background sleepers; resolves with the pids it printed (group leader first). */
async function startProcessTree(call: ExecCall): Promise<number[]> {
  call.stdin.end();
  let text = '';
  call.stdout.on('data', (c: Buffer) => (text += c.toString()));
  while (!/ready\n/.test(text)) await once(call.stdout, 'data');
  return text
    .trim()
    .split(/\s+/)
    .filter((w) => /^\d+$/.test(w))
    .map(Number);
}
const TREE = 'sleep 60 & a=$!; sleep 60 & b=$!; echo $$ $a $b ready; wait';

function lifeDir(): string {
  return tempDir('framesh-life-');
}

describe('exec lifecycle', () => {
  let server: TestServer;
  let client: FrameshClient;
  before(async () => {
    server = await startTestServer({ killGraceMs: 300 });
    client = await server.client();
  });

  it('signal("INT") reaches the command, and exit names the signal', async () => {
    const call = client.exec(['sleep', '30']);
    call.stdin.end();
    await call.started;
    call.signal('INT');
    assert.deepEqual(await call.exit, { code: null, signal: 'SIGINT' });
  });

  it('cancel ends the whole process group, leaving no orphans', async () => {
    const call = client.exec(TREE);
    const pids = await startProcessTree(call);
    assert.equal(pids.length, 3);
    call.cancel();
    const status = await call.exit;
    assert.equal(status.reason, 'cancel');
    assert.deepEqual(await waitForGroupGone(pids[0] as number), []);
    // Each recorded process individually: the shell and both background children.
    for (const pid of pids) assert.equal(isGone(pid), true, `process ${pid} still runs`);
  });

  it('a timeout ends the whole group with reason "timeout"', async () => {
    const call = client.exec(TREE, { timeoutMs: 300 });
    const [leader] = await startProcessTree(call);
    const status = await call.exit;
    assert.equal(status.reason, 'timeout');
    assert.equal(status.signal, 'SIGTERM');
    assert.deepEqual(await waitForGroupGone(leader as number), []);
  });

  it('a child that ignores SIGTERM is killed after the grace period', async () => {
    // An ignored signal stays ignored in the shell's children too, so only SIGKILL ends this group.
    const call = client.exec("trap '' TERM; echo $$ ready; while :; do sleep 0.05; done", { timeoutMs: 100 });
    const [leader] = await startProcessTree(call);
    const status = await call.exit;
    assert.equal(status.signal, 'SIGKILL');
    assert.deepEqual(await waitForGroupGone(leader as number), []);
  });

  it('the server caps a client timeout with maxTimeoutMs', async () => {
    const capped = await startTestServer({ maxTimeoutMs: 200 });
    const c = await capped.client();
    const started = performance.now();
    const status = await c.exec(['sleep', '30'], { timeoutMs: 60_000 }).exit;
    assert.equal(status.reason, 'timeout');
    assert.ok(performance.now() - started < 10_000);
  });

  it('a client disconnect ends its commands', async () => {
    const other = await server.client();
    const pids = new Promise<number>((resolve) => server.server.once('commandStart', (info) => resolve(info.pid)));
    const call = other.exec(TREE);
    await startProcessTree(call);
    const leader = await pids;
    await other.close();
    assert.deepEqual(await waitForGroupGone(leader), []);
  });

  it('reports spawn failures with stable codes', async () => {
    await assert.rejects(client.run(['definitely-not-a-command-xyz']), {
      code: 'ENOENT_COMMAND',
      message: /command not found: definitely-not-a-command-xyz/,
    });
    await assert.rejects(client.run('pwd', { cwd: '/no/such/dir' }), {
      code: 'ENOENT_CWD',
      message: /\/no\/such\/dir/,
    });
    const dir = lifeDir();
    const script = path.join(dir, 'not-executable');
    writeFileSync(script, '#!/bin/sh\necho no\n');
    chmodSync(script, 0o644);
    await assert.rejects(client.run([script]), { code: 'EACCES' });
    const missing = await client.run('no-such-program-xyz');
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /not found/);
  });

  it('honours cwd and env', async () => {
    const dir = lifeDir();
    const result = await client.run('pwd; echo "$GREETING"', { cwd: dir, env: { GREETING: 'hallo welt' } });
    assert.equal(result.stdout, `${dir}\nhallo welt\n`);
  });

  it('login runs through the account login shell ($SHELL -lc)', async () => {
    const dir = lifeDir();
    const record = path.join(dir, 'args');
    const shell = path.join(dir, 'recording-shell');
    writeFileSync(shell, `#!/bin/sh\nprintf '%s\\n' "$@" > ${record}\nshift\nexec /bin/sh -c "$@"\n`);
    chmodSync(shell, 0o755);
    const loginServer = await startTestServer({ env: { ...process.env, SHELL: shell } });
    const c = await loginServer.client();
    assert.equal((await c.run('echo via login', { login: true })).stdout, 'via login\n');
    assert.equal(readFileSync(record, 'utf8'), '-lc\necho via login\n');
    assert.equal((await c.run(['printf', '%s|', 'a b', 'c'], { login: true })).stdout, 'a b|c|');
    rmSync(record);
    assert.equal((await c.run('echo plain')).stdout, 'plain\n');
    assert.equal(existsSync(record), false, 'without login the login shell must not run');
  });
});

/**
 * True when `pid` runs nothing: kill(pid, 0) fails with ESRCH, or only a
 * zombie is left (reaping orphans is the init process's job, not framesh's).
 */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
