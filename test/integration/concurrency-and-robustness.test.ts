import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { connect, FrameshError } from '../../src/index.js';
import { startTestServer } from '../helpers/servers.js';
import { waitForGroupGone } from '../helpers/processes.js';
import { startServeProcess } from '../helpers/cli.js';

describe('many clients and channels', () => {
  it('serves 50 clients running 5 commands each at once', async () => {
    const { client } = await startTestServer();
    const clients = await Promise.all(Array.from({ length: 50 }, () => client()));
    const results = await Promise.all(
      clients.flatMap((c, i) =>
        Array.from({ length: 5 }, (_, j) => c.run(['echo', `${i}-${j}`]).then((r) => r.stdout.trim())),
      ),
    );
    assert.equal(new Set(results).size, 250);
  });

  it('runs 40 channels at once on one connection', async () => {
    const { client } = await startTestServer();
    const c = await client();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => c.run(`sleep 0.2; echo ${i}`)));
    assert.deepEqual(
      results.map((r) => Number(r.stdout)),
      Array.from({ length: 40 }, (_, i) => i),
    );
  });

  it('refuses a channel past maxChannels with LIMIT and keeps the connection', async () => {
    const { client } = await startTestServer({ maxChannels: 2 });
    const c = await client();
    const running = [c.exec(['sleep', '30']), c.exec(['sleep', '30'])];
    await Promise.all(running.map((call) => call.started));
    await assert.rejects(c.run('true'), { code: 'LIMIT', message: /too many open channels \(limit 2\)/ });
    running.forEach((call) => call.cancel());
    await Promise.all(running.map((call) => call.exit));
    assert.equal((await c.run('echo after')).stdout, 'after\n');
  });

  it('a slow client does not stall others on the same server', async () => {
    const { client } = await startTestServer();
    const slow = await client({});
    const call = slow.exec('head -c 104857600 /dev/zero', { windowBytes: 65536 });
    call.stdin.end();
    call.stdout.pause();
    const fast = await client();
    const started = performance.now();
    for (let i = 0; i < 20; i++) assert.equal((await fast.run('echo hi')).stdout, 'hi\n');
    assert.ok(performance.now() - started < 20_000);
    call.cancel();
    call.stdout.resume();
    await call.exit;
  });
});

describe('client robustness', () => {
  it('rejects pending calls once with a typed error when the server drops the connection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { server, port } = await startTestServer();
      // A real TCP hop we can cut, as a network failure would.
      const sockets: net.Socket[] = [];
      const proxy = net.createServer((inbound) => {
        const outbound = net.connect({ host: '127.0.0.1', port });
        sockets.push(inbound, outbound);
        inbound
          .on('error', () => {})
          .pipe(outbound.on('error', () => {}))
          .pipe(inbound);
      });
      proxy.listen(0, '127.0.0.1');
      await once(proxy, 'listening');
      const c = await connect({ port: (proxy.address() as net.AddressInfo).port, insecure: true });
      const started = new Promise<number>((resolve) => server.once('commandStart', (info) => resolve(info.pid)));
      const call = c.exec(['sleep', '30']);
      const neverAwaited = c.exec(['sleep', '30']);
      void neverAwaited;
      const pid = await started;
      const closed = once(c, 'close');
      sockets.forEach((s) => s.resetAndDestroy());
      proxy.close();
      await assert.rejects(
        call.exit,
        (err: unknown) => err instanceof FrameshError && /CONNECTION_|UNEXPECTED_EOF|SHUTTING_DOWN/.test(err.code),
      );
      await closed;
      assert.equal(c.closed, true);
      await assert.rejects(c.run('true'), FrameshError);
      assert.deepEqual(await waitForGroupGone(pid), []);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a serve process killed mid-command rejects every pending call once with a typed error', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const serve = await startServeProcess(['--insecure']);
    const leaders: number[] = [];
    try {
      const c = await connect({ port: serve.port, insecure: true });
      let closeEvents = 0;
      c.on('close', () => (closeEvents += 1));
      // SIGKILL gives the server no chance to end its commands, so the test ends their groups itself.
      const call = c.exec('echo $$; sleep 30');
      call.stdin.end();
      const unawaited = c.exec('echo $$; sleep 30');
      unawaited.stdin.end();
      for (const running of [call, unawaited]) {
        const [line] = (await once(running.stdout, 'data')) as [Buffer];
        leaders.push(Number(line.toString().trim()));
      }
      let rejections = 0;
      const settled = call.exit.then(
        () => assert.fail('exit resolved after the server died'),
        (err: unknown) => {
          rejections += 1;
          return err;
        },
      );
      assert.equal(await serve.stop('SIGKILL'), null);
      const err = await settled;
      assert.ok(err instanceof FrameshError, `not a FrameshError: ${String(err)}`);
      assert.match(err.code, /^(CONNECTION_(CLOSED|RESET)|UNEXPECTED_EOF)$/);
      assert.ok(err.message.length > 0);
      await assert.rejects(unawaited.exit, FrameshError);
      await assert.rejects(c.run('true'), FrameshError);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(rejections, 1);
      assert.equal(closeEvents, 1);
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await serve.stop('SIGKILL');
      for (const pgid of leaders) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // already gone
        }
        assert.deepEqual(await waitForGroupGone(pgid), []);
      }
    }
  });

  it('connect to a closed port fails with CONNECTION_REFUSED', async () => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as net.AddressInfo;
    probe.close();
    await once(probe, 'close');
    await assert.rejects(connect({ port, insecure: true }), { code: 'CONNECTION_REFUSED' });
  });

  it('a listener that never answers hello fails with TIMEOUT within timeoutMs', async () => {
    const mute = net.createServer((socket) => socket.on('error', () => {}));
    mute.listen(0, '127.0.0.1');
    await once(mute, 'listening');
    try {
      const started = performance.now();
      await assert.rejects(
        connect({ port: (mute.address() as net.AddressInfo).port, insecure: true, timeoutMs: 300 }),
        { code: 'TIMEOUT' },
      );
      assert.ok(performance.now() - started < 5000);
    } finally {
      mute.close();
    }
  });

  it('run() stops at maxBuffer with MAX_BUFFER and cancels the command', async () => {
    const { client } = await startTestServer();
    const c = await client();
    await assert.rejects(c.run('yes', { maxBuffer: 100_000 }), { code: 'MAX_BUFFER' });
    assert.equal((await c.run('echo fine')).stdout, 'fine\n');
  });
});

describe('graceful shutdown', () => {
  it('lets a short command finish, ends a long one after the grace period, and refuses new ones', async () => {
    const { server, client } = await startTestServer({ killGraceMs: 200 });
    const c = await client();
    const short = c.run('sleep 0.3; echo finished');
    const long = c.exec(['sleep', '60']);
    long.stdin.end();
    await long.started;
    const graceMs = 800;
    const started = performance.now();
    const closing = server.close(graceMs);
    await assert.rejects(c.run('true'), { code: 'SHUTTING_DOWN' });
    assert.equal((await short).stdout, 'finished\n');
    assert.deepEqual(await long.exit, { code: null, signal: 'SIGTERM', reason: 'shutdown' });
    // Ended by the grace period, not at once and not after sleep's 60 s.
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= graceMs - 50 && elapsed < 10_000, `long command ended after ${Math.round(elapsed)} ms`);
    await closing;
  });
});
