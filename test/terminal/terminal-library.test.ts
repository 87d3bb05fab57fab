import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { TerminalCall } from '../../src/index.js';
import { RemoteError } from '../../src/index.js';
import { startCuttableProxy } from '../helpers/cuttable-proxy.js';
import { rawPeer, CLIENT_HELLO } from '../helpers/raw-peer.js';
import { startTestServer } from '../helpers/servers.js';
import { livingSessionMembers, waitForSessionGone } from '../helpers/processes.js';
import { quietHome } from './terminal-helpers.js';

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

/** Waits (bounded) until a member of session `sid` runs `command` (after its exec). */
async function waitForCommand(sid: number, command: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!livingSessionMembers(sid).some((pid) => commandLine(pid) === command)) {
    assert.ok(Date.now() < deadline, `${command} never started in session ${sid}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Reads a terminal call's output until `pattern` shows up (bounded). */
async function waitOutput(call: TerminalCall, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} in ${timeoutMs} ms; got ${JSON.stringify(text)}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const match = pattern.exec(text);
      if (match) {
        clearTimeout(timer);
        call.stdout.off('data', onData);
        resolve(text);
      }
    };
    call.stdout.on('data', onData);
  });
}

describe('terminals through the library', () => {
  it('exec with pty: a /dev/pts terminal of the asked size and TERM; without pty: no terminal', async () => {
    const { client } = await startTestServer({ env: quietHome() });
    const c = await client();
    assert.ok(c.server.capabilities.includes('pty'));
    const call = c.exec('tty; stty size; echo "TERM=$TERM"; echo err >&2', {
      pty: { term: 'vt220', cols: 91, rows: 33 },
    });
    const out: Buffer[] = [];
    call.stdout.on('data', (b: Buffer) => out.push(b));
    call.stderr.on('data', () => assert.fail('a terminal has no separate stderr'));
    assert.deepEqual(await call.exit, { code: 0, signal: null });
    assert.match(Buffer.concat(out).toString(), /^\/dev\/pts\/\d+\r\n33 91\r\nTERM=vt220\r\nerr\r\n$/);
    const plain = await c.run('tty; echo "TERM=${TERM-unset}"');
    assert.equal(plain.stdout, 'not a tty\nTERM=unset\n');
  });

  it('every output byte arrives before exit, through a small window (flow control unchanged)', async () => {
    const { client } = await startTestServer({ env: quietHome() });
    const c = await client();
    const call = c.exec(['head', '-c', '3000000', '/dev/zero'], {
      pty: { cols: 80, rows: 24 },
      windowBytes: 32 * 1024,
    });
    let bytes = 0;
    call.stdout.on('data', (b: Buffer) => (bytes += b.length));
    assert.deepEqual(await call.exit, { code: 0, signal: null });
    assert.equal(bytes, 3_000_000);
  });

  it('the last bytes before the exit arrive whether the window is small or wide (the server reads the terminal to its end)', async () => {
    const { client } = await startTestServer({ env: quietHome() });
    const c = await client();
    // `seq` ends with its last line just before the exit; a small window keeps the output paused then.
    for (const windowBytes of [4 * 1024, 32 * 1024, 8 * 1024 * 1024]) {
      for (let round = 0; round < 3; round++) {
        const call = c.exec(['seq', '1', '60000'], { pty: { cols: 80, rows: 24 }, windowBytes });
        const out: Buffer[] = [];
        call.stdout.on('data', (b: Buffer) => out.push(b));
        assert.deepEqual(await call.exit, { code: 0, signal: null });
        const lines = Buffer.concat(out).toString().split('\r\n');
        assert.equal(lines.length, 60001, `window ${windowBytes}: ${lines.length - 1} lines`);
        assert.equal(lines.at(-2), '60000');
      }
    }
  });

  it("a terminal command's exit comes when it ends, not after node-pty's 200 ms timer; a job left running does not hold it", async () => {
    const { client } = await startTestServer({ env: quietHome() });
    const c = await client();
    // The best of five: a loaded machine slows some runs, but the old path took >= 200 ms every time.
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const call = c.exec('true', { pty: { cols: 80, rows: 24 } });
      call.stdout.resume();
      assert.deepEqual(await call.exit, { code: 0, signal: null });
      times.push(performance.now() - started);
    }
    assert.ok(Math.min(...times) < 150, `terminal exits took ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    // A background job keeps the terminal open: the exit still comes, its output so far included.
    const started = performance.now();
    const call = c.exec('sleep 30 & echo started', { pty: { cols: 80, rows: 24 } });
    const out = waitOutput(call, /started/);
    assert.deepEqual(await call.exit, { code: 0, signal: null });
    assert.match(await out, /started/);
    assert.ok(performance.now() - started < 10_000, 'the job left running held the exit');
  });

  it('the connection dropping ends the remote shell and its children within 2 s (SIGHUP to the session)', async () => {
    const { port, client } = await startTestServer({ killGraceMs: 10_000, env: quietHome() });
    const proxy = await startCuttableProxy(port);
    const c = await client({ port: proxy.port });
    const call = c.shell({ pty: { cols: 80, rows: 24 } });
    call.stdin.write('sleep 1001 & sleep 1002 & echo "SID=$$"\n');
    const text = await waitOutput(call, /SID=(\d+)\r\n/);
    const sid = Number(/SID=(\d+)\r\n/.exec(text)?.[1]);
    // The cut happens on the next byte up; type one rather than wait for a keepalive.
    const cut = proxy.cutAfter(0, 'up');
    call.stdin.write(' ');
    await cut;
    await call.exit.catch(() => {});
    // The grace is 10 s: only the hang-up can end them this fast.
    assert.deepEqual(await waitForSessionGone(sid, 2000), []);
  });

  it('cancel hangs the session up; a job stopped with Ctrl-Z ends too', async () => {
    const { client } = await startTestServer({ killGraceMs: 10_000, env: quietHome() });
    const c = await client();
    const call = c.shell({ pty: { cols: 80, rows: 24 } });
    call.stdin.write('echo "SID=$$"; sleep 1003\n');
    const text = await waitOutput(call, /SID=(\d+)\r\n/);
    const sid = Number(/SID=(\d+)\r\n/.exec(text)?.[1]);
    // Ctrl-Z stops the foreground job only once sleep is that job (before, the shell ignores it).
    await waitForCommand(sid, 'sleep 1003');
    call.stdin.write('\x1a');
    await waitOutput(call, /Stopped/);
    call.cancel();
    const result = await call.exit;
    assert.equal(result.reason, 'cancel');
    assert.deepEqual(await waitForSessionGone(sid, 2000), []);
  });

  it('resize reaches the program (SIGWINCH) and stdin eof is ignored on a terminal', async () => {
    const { client } = await startTestServer({ env: quietHome() });
    const c = await client();
    const call = c.shell({ pty: { cols: 80, rows: 24 } });
    call.stdin.end();
    call.resize(132, 50);
    // Typing after eof would be impossible through the ended stdin; the shell still runs, so resize and wait.
    const sized = c.exec('stty size', { pty: { cols: 80, rows: 24 } });
    sized.resize(100, 20);
    await sized.exit;
    call.cancel();
    assert.equal((await call.exit).reason, 'cancel');
  });

  it('signal() goes to the foreground job of the terminal', async () => {
    const { client } = await startTestServer({ env: quietHome() });
    const c = await client();
    const call = c.shell({ pty: { cols: 80, rows: 24 } });
    call.stdin.write('echo "SID=$$"; sleep 1004\n');
    const sid = Number(/SID=(\d+)\r\n/.exec(await waitOutput(call, /SID=(\d+)\r\n/))?.[1]);
    // Wait until sleep runs in the session, then signal once: it must reach sleep, not the shell.
    await waitForCommand(sid, 'sleep 1004');
    const prompt = waitOutput(call, /\r\n[^\n]*[#$] $/);
    call.signal('INT');
    await prompt;
    // bash reports the job's end by SIGINT as 128+2.
    const after = waitOutput(call, /AFTER=130/);
    call.stdin.write('echo "AFTER=$?"\n');
    await after;
    call.stdin.write('exit 3\n');
    assert.equal((await call.exit).code, 3);
  });

  it('a server that cannot load node-pty answers PTY_UNAVAILABLE, offers no "pty", and still runs commands', async () => {
    const { client } = await startTestServer({ ptyModule: 'framesh-no-such-pty-module', env: quietHome() });
    const c = await client();
    assert.equal(c.server.capabilities.includes('pty'), false);
    const call = c.shell({ pty: { cols: 80, rows: 24 } });
    await assert.rejects(call.exit, (err: unknown) => err instanceof RemoteError && err.code === 'PTY_UNAVAILABLE');
    assert.equal((await c.run('echo still')).stdout, 'still\n');
    const piped = c.shell();
    piped.stdin.end('echo "piped shell $((6*7))"\n');
    let out = '';
    piped.stdout.on('data', (b: Buffer) => (out += b.toString()));
    assert.equal((await piped.exit).code, 0);
    assert.match(out, /piped shell 42/);
  });

  it('terminals beyond --max-terminals get a channel LIMIT; the connection and plain exec carry on', async () => {
    const { client } = await startTestServer({ maxTerminals: 1, env: quietHome() });
    const c = await client();
    const first = c.shell({ pty: { cols: 80, rows: 24 } });
    await first.started;
    const second = c.exec('true', { pty: { cols: 80, rows: 24 } });
    await assert.rejects(second.exit, (err: unknown) => err instanceof RemoteError && err.code === 'LIMIT');
    assert.equal((await c.run('echo plain')).stdout, 'plain\n');
    first.stdin.write('exit\n');
    await first.exit;
    const third = c.exec('echo again', { pty: { cols: 80, rows: 24 } });
    assert.equal((await third.exit).code, 0);
  });
});

describe('hostile terminal requests (raw frames)', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['a TERM with an escape sequence', { term: 'xterm\u001b]0;owned\u0007', cols: 80, rows: 24 }],
    ['a TERM that is a path', { term: '../../etc/passwd', cols: 80, rows: 24 }],
    ['a TERM of 65 characters', { term: 'x'.repeat(65), cols: 80, rows: 24 }],
    ['0 columns', { term: 'xterm', cols: 0, rows: 24 }],
    ['70000 rows', { term: 'xterm', cols: 80, rows: 70000 }],
    ['fractional columns', { term: 'xterm', cols: 80.5, rows: 24 }],
    ['negative pixels', { term: 'xterm', cols: 80, rows: 24, widthPx: -1 }],
    ['a string size', { term: 'xterm', cols: '80', rows: 24 }],
  ];
  for (const [name, pty] of cases) {
    it(`refuses ${name} with PROTOCOL and runs nothing`, async () => {
      const { port } = await startTestServer();
      const peer = await rawPeer(port);
      peer.send(CLIENT_HELLO);
      peer.send({ type: 'open', ch: 1, kind: 'shell', window: 65536, pty });
      // A bad open value fails that channel only (PROTOCOL.md §4.1); the connection goes on.
      const error = await peer.next('error');
      assert.deepEqual([error.ch, (error as { code?: string }).code], [1, 'PROTOCOL']);
      peer.send({ type: 'ping', id: 7 });
      await peer.next('pong');
      peer.socket.end();
      const frames = await peer.closed();
      assert.deepEqual(
        frames
          .filter((f) => f.type !== 'hello' && f.type !== 'pong')
          .map((f) => [f.type, (f as { code?: string }).code]),
        [['error', 'PROTOCOL']],
      );
    });
  }

  it('refuses a locale variable that is not LANG/LC_*, a shell with a command, and resize on a plain exec', async () => {
    const { port } = await startTestServer();
    for (const open of [
      { type: 'open', ch: 1, kind: 'exec', command: 'true', window: 65536, locale: { LD_PRELOAD: '/tmp/x.so' } },
      { type: 'open', ch: 1, kind: 'shell', command: 'id', window: 65536 },
    ]) {
      const peer = await rawPeer(port);
      peer.send(CLIENT_HELLO);
      peer.send(open);
      const error = await peer.next('error');
      assert.deepEqual([error.ch, (error as { code?: string }).code], [1, 'PROTOCOL']);
      peer.socket.destroy();
    }
    const peer = await rawPeer(port);
    peer.send(CLIENT_HELLO);
    peer.send({ type: 'open', ch: 1, kind: 'exec', command: 'sleep 5', window: 65536 });
    await peer.next('opened');
    peer.send({ type: 'resize', ch: 1, cols: 80, rows: 24 });
    const frames = await peer.closed();
    const error = frames.find((f) => f.type === 'error' && f.ch === undefined);
    assert.equal(error?.code, 'PROTOCOL');
    assert.match(String(error?.message), /no terminal/);
  });
});
