import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { runCli, spawnCli, startServeProcess, type ServeProcess } from '../helpers/cli.js';

/**
 * `framesh shell` with piped input (no terminal): each line runs on the same
 * connection, output comes back in order, and the session ends cleanly.
 */
describe('framesh shell (CLI, piped)', { concurrency: 3 }, () => {
  let serve: ServeProcess;
  let target: string;
  before(async () => {
    serve = await startServeProcess(['--insecure']);
    target = `127.0.0.1:${serve.port}`;
  });
  after(async () => {
    assert.equal(await serve.stop(), 0);
  });
  const shell = (input: string) => runCli(['shell', '--insecure', target], { input, timeoutMs: 20_000 });

  it('runs piped lines in order on one connection, ignoring empty lines, and leaves at EOF with 0', async () => {
    const result = await shell(
      'echo one\n\n   \necho two >&2\necho three\nexport X=1; echo "${X:-unset}"\necho "${X:-unset}"\n',
    );
    assert.equal(result.code, 0);
    // Each line is its own command: state such as variables does not carry over.
    assert.equal(result.stdout, 'one\nthree\n1\nunset\n');
    assert.match(result.stderr, /^two$/m);
  });

  it('exit leaves at once with status 0, and later lines never run', async () => {
    const result = await shell('echo before\nexit\necho after\n');
    assert.equal(result.code, 0);
    assert.equal(result.stdout, 'before\n');
  });

  it('quit leaves too', async () => {
    const result = await shell('  quit  \necho after\n');
    assert.equal(result.code, 0);
    assert.equal(result.stdout, '');
  });

  it('reports a failing line and carries on with the next', async () => {
    const result = await shell('exit_status_7() { return 7; }; exit_status_7\nsh -c "exit 3"\necho next\n');
    assert.equal(result.code, 0);
    assert.equal(result.stdout, 'next\n');
    assert.match(result.stderr, /\[exit 7\]/);
    assert.match(result.stderr, /\[exit 3\]/);
  });

  it('SIGINT interrupts the running command, not the session', async () => {
    const child = spawnCli(['shell', '--insecure', target]);
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = once(child, 'exit');
    // "ready" must come from the process that gets interrupted: with `echo ready; sleep 30` a SIGINT
    // landing between the echo and the fork of sleep is caught by sh (dash catches SIGINT under -c and
    // acts on it only after the foreground job), so sleep would run its full 30 s.
    child.stdin.write(
      `exec ${JSON.stringify(process.execPath)} -e "console.log('ready'); setTimeout(() => {}, 30000)"\n`,
    );
    while (!stdout.includes('ready')) await bounded(once(child.stdout, 'data'), 15_000, 'ready');
    child.kill('SIGINT');
    child.stdin.end('echo still here\n');
    const [code] = (await bounded(exited, 15_000, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.equal(stdout, 'ready\nstill here\n');
  });

  it('a refused connection exits 255 with the code', async () => {
    const probe = net.createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as net.AddressInfo;
    probe.close();
    await once(probe, 'close');
    const result = await runCli(['shell', '--insecure', `127.0.0.1:${port}`], { input: 'echo x\n' });
    assert.equal(result.code, 255);
    assert.match(result.stderr, /\(CONNECTION_REFUSED\)/);
  });
});

function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
