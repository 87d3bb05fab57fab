import assert from 'node:assert/strict';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { runCli, spawnCli, startServeProcess, type ServeProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dirs.js';

/**
 * `framesh exec` as a user runs it: a real serve process, a real CLI process
 * per case, exit statuses and streams as a shell script would see them.
 * Cases are independent, so they run a few at a time to keep the file short.
 */
describe('framesh exec (CLI)', { concurrency: 3 }, () => {
  let serve: ServeProcess;
  let target: string;
  const dirs: string[] = [];
  before(async () => {
    serve = await startServeProcess(['--insecure']);
    target = `127.0.0.1:${serve.port}`;
  });
  after(async () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    // A serve process left running would keep the test process (and the run) alive.
    assert.equal(await serve.stop(), 0);
  });
  const exec = (options: string[], command: string[], input?: string) =>
    runCli(['exec', '--insecure', ...options, target, '--', ...command], { input: input ?? '' });

  it('passes the remote exit code through and keeps stdout and stderr apart', async () => {
    const result = await exec([], ['echo out; echo err >&2; exit 7']);
    assert.equal(result.code, 7);
    assert.equal(result.stdout, 'out\n');
    assert.match(result.stderr, /^err$/m);
    assert.doesNotMatch(result.stdout, /err/);
  });

  it('exits 128+N when a signal ends the remote command (kill -9 $$ gives 137)', async () => {
    const result = await exec([], ['kill -9 $$']);
    assert.equal(result.code, 137);
  });

  it('forwards piped stdin until EOF', async () => {
    const result = await exec([], ['cat; echo "[lines: $(echo)]"'], 'alpha\nbeta\n');
    assert.equal(result.stdout, 'alpha\nbeta\n[lines: ]\n');
    const counted = await exec([], ['wc -l'], 'one\ntwo\nthree\n');
    assert.equal(counted.stdout.trim(), '3');
    assert.equal(counted.code, 0);
  });

  it('stdin from /dev/null (a job started with stdin ignored) reaches the command as an immediate EOF', async () => {
    // With stdin ignored, fd 0 is /dev/null: the CLI then ends the command's stdin at once instead of
    // reading it through process.stdin (cli/null-stdin.ts).
    const result = await runCli(['exec', '--insecure', target, '--', 'wc -c; echo done'], { stdin: 'ignore' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.replace(/^\s+/, ''), '0\ndone\n');
  });

  it('runs a single argument as a shell string and several as an argv without a shell', async () => {
    const shell = await exec([], ['echo a  b | tr a-z A-Z; echo $((1 + 2))']);
    assert.equal(shell.stdout, 'A B\n3\n');
    const argv = await exec([], ['printf', '%s|', 'a  b', '$HOME', ';', 'x']);
    assert.equal(argv.stdout, 'a  b|$HOME|;|x|');
  });

  it('honours --cwd and repeated -e KEY=VALUE', async () => {
    const dir = tempDir('framesh-cli-cwd-');
    dirs.push(dir);
    const result = await exec(
      ['--cwd', dir, '-e', 'GREETING=hallo welt', '-e', 'EQ=a=b'],
      ['pwd; echo "$GREETING|$EQ"'],
    );
    assert.equal(result.stdout, `${dir}\nhallo welt|a=b\n`);
    assert.equal(result.code, 0);
  });

  it('--timeout ends the command with exit status 124 and says so', async () => {
    const started = performance.now();
    const result = await exec(['--timeout', '300ms'], ['sleep 30']);
    assert.equal(result.code, 124);
    assert.match(result.stderr, /command timed out after 300 ms \(TIMEOUT\)/);
    assert.ok(performance.now() - started < 15_000);
  });

  it('decodes --encoding gbk output whose character is split across two data frames', async () => {
    // "你" is C4 E3 in GBK; the pause puts the two bytes in separate frames.
    const result = await exec(
      ['--encoding', 'gbk'],
      ["printf '\\304'; sleep 0.3; printf '\\343\\n'; printf '\\304\\343' >&2"],
    );
    assert.equal(result.code, 0);
    assert.equal(result.stdout, '你\n');
    assert.match(result.stderr, /你/);
  });

  it("a reader that starts only after the exit arrived still gets every byte (nothing lost at the CLI's exit)", async () => {
    // 3 MB fits the exec window, so the server sends all of it and the exit before the reader reads; the
    // CLI must then hold its exit until its stdout pipe has taken the last byte.
    const child = spawnCli([
      'exec',
      '-vv',
      '--insecure',
      target,
      '--',
      'sh',
      '-c',
      'head -c 3000000 /dev/zero; printf END',
    ]);
    child.stdout.pause();
    let trace = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no exit frame in the trace: ${trace.slice(-300)}`)), 30_000);
      child.stderr.on('data', (c: Buffer) => {
        trace += c.toString();
        if (/<- \{"type":"exit"/.test(trace)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    let bytes = 0;
    let tail = '';
    child.stdout.on('data', (c: Buffer) => {
      bytes += c.length;
      tail = (tail + c.toString('latin1')).slice(-3);
    });
    child.stdout.resume();
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(code, 0);
    assert.equal(bytes, 3_000_003);
    assert.equal(tail, 'END');
  });

  it('Ctrl-C (SIGINT) to the CLI reaches the remote command, which exits 130', async () => {
    // "ready" comes from the process to interrupt (see the shell test: sh may hold a SIGINT that lands before its next fork).
    const child = spawnCli([
      'exec',
      '--insecure',
      target,
      '--',
      `exec ${JSON.stringify(process.execPath)} -e "console.log('ready'); setTimeout(() => {}, 30000)"`,
    ]);
    child.stdin.end();
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    while (!stdout.includes('ready')) await waitFor(once(child.stdout, 'data'), 15_000, 'ready');
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code] = (await waitFor(exited, 15_000, 'exit')) as [number | null];
    assert.equal(code, 130);
  });

  it('connection refused exits 255 with the code', async () => {
    const probe = net.createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as net.AddressInfo;
    probe.close();
    await once(probe, 'close');
    const result = await runCli(['exec', '--insecure', `127.0.0.1:${port}`, '--', 'true']);
    assert.equal(result.code, 255);
    assert.match(result.stderr, /connection refused by 127\.0\.0\.1:\d+.*\(CONNECTION_REFUSED\)/);
  });

  it('an unknown host exits 255 with the code', async () => {
    const result = await runCli(['exec', '--insecure', 'no-such-host.invalid:7022', '--', 'true']);
    assert.equal(result.code, 255);
    assert.match(result.stderr, /unknown host: no-such-host\.invalid \(HOST_NOT_FOUND\)/);
  });
});

describe('framesh serve (CLI)', () => {
  it('prints its real port, serves, and exits 0 on SIGTERM', async () => {
    const serve = await startServeProcess(['--insecure']);
    assert.ok(serve.port > 0);
    const result = await runCli(['exec', '--insecure', `127.0.0.1:${serve.port}`, '--', 'echo up']);
    assert.equal(result.stdout, 'up\n');
    assert.equal(await serve.stop('SIGTERM'), 0);
  });
});

/** Bounds a wait so a hung CLI fails the test instead of the run. */
function waitFor<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
