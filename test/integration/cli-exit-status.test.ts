import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI_ENTRY, runCli, spawnCli, startServeProcess, tempHome, type ServeProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dirs.js';

/** Runs a bash script (a pipeline a user would type) to completion; the CLI is `$FRAMESH`. */
function runBash(script: string, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('bash', ['-c', script], {
    env: { ...process.env, FRAMESH_HOME: tempHome(), FRAMESH: `${process.execPath} --import tsx ${CLI_ENTRY}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** True while a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** issue 10: the exit statuses and messages a shell script sees from `framesh exec` and the others. */
describe('framesh exit statuses, usage errors and closed output (CLI)', { concurrency: 3 }, () => {
  let serve: ServeProcess;
  let target: string;
  let root: string;
  before(async () => {
    root = tempDir('framesh-exit-root-');
    serve = await startServeProcess(['--insecure', '--root', root]);
    target = `127.0.0.1:${serve.port}`;
  });
  after(async () => {
    assert.equal(await serve.stop(), 0);
  });
  const exec = (args: string[], input = ''): ReturnType<typeof runCli> =>
    runCli(['exec', '--insecure', target, ...args], { input });

  it('`exec h -- seq ... | head -2` ends quietly with 141 and ends the remote command (stdout closed)', async () => {
    const dir = tempDir('framesh-epipe-');
    const pidFile = path.join(dir, 'pid');
    const result = await runBash(
      `$FRAMESH exec --insecure ${target} -- 'echo $$ > ${pidFile}; exec seq 1 100000000' | head -2; echo "status=\${PIPESTATUS[0]}" >&2`,
    );
    assert.equal(result.stdout, '1\n2\n');
    assert.match(result.stderr, /^status=141$/m);
    assert.doesNotMatch(result.stderr, /EPIPE|Error|at /, 'no stack trace, no message');
    // The client waits for the server to report the cancelled command's end, so it is gone by now.
    assert.equal(alive(Number(readFileSync(pidFile, 'utf8'))), false, 'the remote seq must not keep running');
  });

  it('a closed stderr is the same: quiet, 141, remote command ended', async () => {
    const result = await runBash(
      `$FRAMESH exec --insecure ${target} -- 'yes >&2' 2>&1 >/dev/null | head -c 100 >/dev/null; echo "status=\${PIPESTATUS[0]}"`,
    );
    assert.equal(result.stdout, 'status=141\n');
    assert.equal(result.stderr, '');
  });

  it('argv form: a missing program exits 127, a program that is not executable 126 (as a shell)', async () => {
    const missing = await exec(['--', 'no-such-program-framesh', 'x']);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /command not found: no-such-program-framesh \(ENOENT_COMMAND\)/);
    const dir = tempDir('framesh-eacces-');
    const script = path.join(dir, 'not-executable.sh');
    writeFileSync(script, '#!/bin/sh\necho ran\n');
    chmodSync(script, 0o644);
    const denied = await exec(['--', script, 'x']);
    assert.equal(denied.code, 126);
    assert.match(denied.stderr, /permission denied.*\(EACCES\)/);
    // The shell form already gave 127 through the remote shell; it stays so.
    assert.equal((await exec(['--', 'no-such-program-framesh'])).code, 127);
  });

  it('usage errors exit 2 in every command', async () => {
    const cases: string[][] = [
      ['exec', '--bogus', target, '--', 'true'],
      ['exec', '--insecure', target],
      ['shell', '--bogus', target],
      ['put', 'only-one-path'],
      ['get', '--insecure', `${target}:a`, `${target}:b`],
      ['keygen', '--bogus'],
      ['serve', '--auth-grace', '0'],
      ['classic', '127.0.0.1'],
      [],
    ];
    // Two at a time: each is a Node start-up, and CI machines are small.
    for (let i = 0; i < cases.length; i += 2) {
      const batch = cases.slice(i, i + 2);
      const results = await Promise.all(batch.map((args) => runCli(args)));
      results.forEach((result, j) => assert.equal(result.code, 2, `framesh ${batch[j]?.join(' ')}: ${result.stderr}`));
    }
  });

  it('a bad target, found only once the command runs, is a usage error as well: one line, 2, no stack', async () => {
    const cases: [string[], RegExp][] = [
      [['exec', '127.0.0.1:', '--', 'true'], /^error: bad port in "127\.0\.0\.1:"\n$/],
      [['exec', ':2222', '--', 'true'], /^error: no host in ":2222"\n$/],
      [['shell', '127.0.0.1:99999'], /^error: bad port in "127\.0\.0\.1:99999"\n$/],
      [['put', 'here.txt', '127.0.0.1:0:/tmp/there.txt'], /bad port in "127\.0\.0\.1:0:\/tmp\/there\.txt"\n$/],
    ];
    for (let i = 0; i < cases.length; i += 2) {
      const batch = cases.slice(i, i + 2);
      const results = await Promise.all(batch.map(([args]) => runCli(args)));
      results.forEach((result, j) => {
        const [args, message] = batch[j] as [string[], RegExp];
        assert.equal(result.code, 2, `framesh ${args.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, message);
        assert.doesNotMatch(result.stderr, /\n\s+at /);
      });
    }
  });

  it('durations: a bare number is seconds, units are read, 0 is none, beyond 2^31-1 ms is refused at parse time', async () => {
    // `--timeout 1` used to mean 1 ms and kill this at once.
    const seconds = await exec(['--timeout', '1', '--', 'sleep 0.3; echo survived']);
    assert.equal(seconds.code, 0, seconds.stderr);
    assert.equal(seconds.stdout, 'survived\n');
    const zero = await exec(['--timeout', '0', '--', 'echo no limit']);
    assert.equal(zero.code, 0, `--timeout 0 means none (was a protocol error): ${zero.stderr}`);
    const unit = await exec(['--timeout', '200ms', '--', 'sleep 30']);
    assert.equal(unit.code, 124);
    assert.match(unit.stderr, /timed out after 200 ms \(TIMEOUT\)/);
    const huge = await exec(['--timeout', '2147483648ms', '--', 'true']);
    assert.equal(huge.code, 2);
    assert.match(huge.stderr, /more than 2147483647 ms/);
    const connect = await runCli(['exec', '--insecure', '--connect-timeout', '0', target, '--', 'true']);
    assert.equal(connect.code, 2);
    assert.match(connect.stderr, /--connect-timeout <duration>.*must be more than 0/);
  });

  it('options may follow HOST, before -- or before the command (as ssh allows); unknown ones there are usage errors', async () => {
    const dir = tempDir('framesh-after-host-');
    const withSeparator = await runCli(['exec', target, '--insecure', '--cwd', dir, '-e', 'A=1', '--', 'pwd; echo $A']);
    assert.equal(withSeparator.code, 0, withSeparator.stderr);
    assert.equal(withSeparator.stdout, `${dir}\n1\n`);
    const timeout = await runCli(['exec', target, '--insecure', '--timeout', '200ms', '--', 'sleep', '5']);
    assert.equal(timeout.code, 124, timeout.stderr);
    const noSeparator = await runCli(['exec', target, '--insecure', '-n', 'echo', '-n', 'kept']);
    assert.equal(noSeparator.code, 0, noSeparator.stderr);
    assert.equal(noSeparator.stdout, 'kept', "the command's own -n is not framesh's");
    const unknown = await runCli(['exec', target, '--insecure', '--bogus', '--', 'true']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown option '--bogus'/);
    const stray = await runCli(['exec', target, '--insecure', 'stray', '--', 'true']);
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /"stray" before -- is not an option of exec/);
  });

  it('shell, put and get take their options after the host or paths too', async () => {
    const shell = await runCli(['shell', target, '--insecure'], { input: 'echo from-shell\n' });
    assert.equal(shell.code, 0, shell.stderr);
    assert.equal(shell.stdout, 'from-shell\n');
    const dir = tempDir('framesh-after-paths-');
    const file = path.join(dir, 'a.txt');
    writeFileSync(file, 'payload\n');
    const put = await runCli(['put', file, `${target}:b.txt`, '--insecure', '-q']);
    assert.equal(put.code, 0, put.stderr);
    assert.equal(readFileSync(path.join(root, 'b.txt'), 'utf8'), 'payload\n');
    const get = await runCli(['get', `${target}:b.txt`, path.join(dir, 'c.txt'), '--insecure', '-q']);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(readFileSync(path.join(dir, 'c.txt'), 'utf8'), 'payload\n');
  });
});

describe('a server shutting down under a running command', () => {
  it('the client says why and exits 255 (was 143, silently)', async () => {
    const serve = await startServeProcess(['--insecure', '--shutdown-grace', '100ms', '--kill-grace', '100ms']);
    const client = spawnCli(['exec', '--insecure', `127.0.0.1:${serve.port}`, '--', 'echo started; sleep 30']);
    let stderr = '';
    client.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    client.stdin.end();
    await new Promise<void>((resolve) => client.stdout.once('data', () => resolve()));
    const exited = new Promise<number | null>((resolve) => client.once('exit', (code) => resolve(code)));
    assert.equal(await serve.stop('SIGTERM'), 0);
    assert.equal(await exited, 255);
    assert.match(stderr, /the server shut down and ended the command \(exit reason "shutdown"\)/);
  });
});
