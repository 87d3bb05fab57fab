import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { CLIENT_HELLO, rawFrame, rawPeer, type RawPeer } from '../helpers/raw-peer.js';
import { startTestServer, type TestServer } from '../helpers/servers.js';

/**
 * Each case: the hostile connection gets an error frame with the stable code
 * and is closed, and a well-behaved client of the same server still runs a
 * command afterwards.
 */
describe('hostile peers', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });

  async function expectRefusal(
    act: (peer: RawPeer) => Promise<void> | void,
    code: string,
    message: RegExp,
  ): Promise<void> {
    const peer = await rawPeer(server.port);
    await act(peer);
    const received = await peer.closed();
    const last = received.at(-1);
    assert.equal(last?.type, 'error', `expected an error frame, got ${JSON.stringify(received)}`);
    assert.equal(last?.code, code);
    assert.match(String(last?.message), message);
    assert.equal(last?.ch, undefined);
    const client = await server.client();
    assert.equal((await client.run('echo alive')).stdout, 'alive\n');
  }

  const greeted = async (peer: RawPeer): Promise<void> => {
    peer.send(CLIENT_HELLO);
    await peer.next('hello');
  };

  it('garbage bytes', () =>
    expectRefusal((p) => p.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), 'LIMIT', /exceeds the limit/));

  it('a header length beyond maxHeaderBytes', () =>
    expectRefusal((p) => p.write(Buffer.from([0x7f, 0xff, 0xff, 0xff])), 'LIMIT', /2147483647 bytes exceeds/));

  it('a body length beyond maxBodyBytes', () =>
    expectRefusal(
      async (p) => {
        await greeted(p);
        p.write(rawFrame('{"type":"data","ch":1,"stream":"stdin","len":1073741824}'));
      },
      'LIMIT',
      /1073741824 bytes exceeds/,
    ));

  it('a header that is not JSON', () =>
    expectRefusal((p) => p.write(rawFrame('{"type":"hello",')), 'PROTOCOL', /not valid JSON/));

  it('an unknown message type', () =>
    expectRefusal(
      async (p) => {
        await greeted(p);
        p.send({ type: 'teleport' });
      },
      'PROTOCOL',
      /unknown message type "teleport"/,
    ));

  it('a message before hello', () =>
    expectRefusal(
      (p) => p.send({ type: 'open', ch: 1, kind: 'exec', command: 'true', window: 100 }),
      'PROTOCOL',
      /expected "hello" first/,
    ));

  it('another major protocol version', () =>
    expectRefusal((p) => p.send({ ...CLIENT_HELLO, version: '2.0' }), 'VERSION', /speaks protocol 2\.0/));

  it('a frame for a channel that was never opened', () =>
    expectRefusal(
      async (p) => {
        await greeted(p);
        p.send({ type: 'data', ch: 9, stream: 'stdin' }, Buffer.from('x'));
      },
      'UNKNOWN_CHANNEL',
      /channel 9 was never opened/,
    ));

  it('an open that reuses a channel id', () =>
    expectRefusal(
      async (p) => {
        await greeted(p);
        p.send({ type: 'open', ch: 1, kind: 'exec', command: 'true', window: 100 });
        p.send({ type: 'open', ch: 1, kind: 'exec', command: 'true', window: 100 });
      },
      'PROTOCOL',
      /channel id 1 is not above/,
    ));

  it('a message only the server may send', () =>
    expectRefusal(
      async (p) => {
        await greeted(p);
        p.send({ type: 'exit', ch: 1, code: 0, signal: null });
      },
      'PROTOCOL',
      /may not send "exit"/,
    ));

  it('stdin data beyond the granted window', () =>
    expectRefusal(
      async (p) => {
        await greeted(p);
        p.send({ type: 'open', ch: 1, kind: 'exec', command: 'sleep 5', window: 100 });
        const opened = await p.next('opened');
        const chunk = Buffer.alloc(1024 * 1024);
        for (let sent = 0; sent <= Number(opened.window); sent += chunk.length)
          p.send({ type: 'data', ch: 1, stream: 'stdin' }, chunk);
      },
      'LIMIT',
      /window left/,
    ));

  it('a signal name the server does not know', () =>
    expectRefusal(
      async (p) => {
        await greeted(p);
        p.send({ type: 'open', ch: 1, kind: 'exec', command: 'sleep 5', window: 100 });
        await p.next('opened');
        p.send({ type: 'signal', ch: 1, signal: 'BOGUS' });
      },
      'PROTOCOL',
      /unknown signal "BOGUS"/,
    ));

  it('stdin data after its eof does not crash the server', async () => {
    const p = await rawPeer(server.port);
    await greeted(p);
    p.send({ type: 'open', ch: 1, kind: 'exec', command: 'cat; sleep 0.2; echo done', window: 100 });
    await p.next('opened');
    p.send({ type: 'data', ch: 1, stream: 'stdin' }, Buffer.from('a'));
    p.send({ type: 'eof', ch: 1, stream: 'stdin' });
    p.send({ type: 'data', ch: 1, stream: 'stdin' }, Buffer.from('b'));
    p.send({ type: 'eof', ch: 1, stream: 'stdin' });
    // Either refused as a protocol error or ignored; the server itself must stay up.
    const outcome = await Promise.race([
      p.next('exit'),
      p.closed().then((frames) => frames.at(-1) as NonNullable<(typeof frames)[number]>),
    ]);
    if (outcome.type === 'error') assert.equal(outcome.code, 'PROTOCOL');
    else assert.equal(outcome.type, 'exit');
    p.socket.destroy();
    const client = await server.client();
    assert.equal((await client.run('echo alive')).stdout, 'alive\n');
  });

  it('a window update past 2^31-1', () =>
    expectRefusal(
      async (p) => {
        await greeted(p);
        p.send({ type: 'open', ch: 1, kind: 'exec', command: 'sleep 5', window: 2 ** 31 - 10 });
        await p.next('opened');
        p.send({ type: 'window', ch: 1, bytes: 100 });
      },
      'PROTOCOL',
      /2\^31-1/,
    ));

  it('stdout data from the client', () =>
    expectRefusal(
      async (p) => {
        await greeted(p);
        p.send({ type: 'open', ch: 1, kind: 'exec', command: 'sleep 5', window: 100 });
        p.send({ type: 'data', ch: 1, stream: 'stdout' }, Buffer.from('x'));
      },
      'PROTOCOL',
      /stdout/,
    ));

  it('a second hello', () =>
    expectRefusal(
      async (p) => {
        await greeted(p);
        p.send(CLIENT_HELLO);
      },
      'PROTOCOL',
      /hello/,
    ));

  it('a peer that grants a huge window but never reads its socket cannot grow server memory', async () => {
    const pid = new Promise<number>((resolve) => server.server.once('commandStart', (info) => resolve(info.pid)));
    const p = await rawPeer(server.port);
    await greeted(p);
    p.send({
      type: 'open',
      ch: 1,
      kind: 'exec',
      command: ['head', '-c', String(256 * 1024 * 1024), '/dev/zero'],
      window: 2 ** 31 - 1,
    });
    await p.next('opened');
    p.socket.pause();
    const headPid = await pid;
    // Meanwhile others are served; then the command must still be blocked in write(), not done.
    const client = await server.client();
    for (let i = 0; i < 5; i++) assert.equal((await client.run('echo alive')).stdout, 'alive\n');
    const io = readFileSync(`/proc/${headPid}/io`, 'utf8');
    const written = Number(/^wchar: (\d+)$/m.exec(io)?.[1]);
    // Socket buffers on both ends plus one frame and one pipe read; without backpressure head writes all 256 MiB.
    assert.ok(written < 32 * 1024 * 1024, `the command wrote ${written} bytes into a peer that reads nothing`);
    p.socket.destroy();
  });

  it('late frames for a finished channel are dropped, not fatal', async () => {
    const p = await rawPeer(server.port);
    await greeted(p);
    p.send({ type: 'open', ch: 1, kind: 'exec', command: 'true', window: 100 });
    p.send({ type: 'eof', ch: 1, stream: 'stdin' });
    await p.next('exit');
    p.send({ type: 'window', ch: 1, bytes: 100 });
    p.send({ type: 'open', ch: 2, kind: 'exec', command: 'echo again', window: 100 });
    p.send({ type: 'eof', ch: 2, stream: 'stdin' });
    const data = await p.next('data');
    assert.equal(data.ch, 2);
    p.socket.end();
  });
});
