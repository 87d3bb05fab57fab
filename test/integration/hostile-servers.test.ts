import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { connect, FrameshError } from '../../src/index.js';
import { DEFAULT_LIMITS } from '../../src/protocol/constants.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import type { FrameHeader } from '../../src/protocol/frame.js';
import { runCli } from '../helpers/cli.js';

const SERVER_HELLO = {
  type: 'hello',
  version: '1.0',
  agent: 'fake-server',
  capabilities: ['exec'],
  limits: DEFAULT_LIMITS,
};
type Frame = { type: string; [k: string]: unknown };

interface FakeServer {
  readonly port: number;
  /** Every frame the client sent, across connections. */
  readonly received: FrameHeader[];
}

const servers: net.Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

/**
 * A hand-scripted server over plain TCP: `react` sees each client frame and
 * answers with raw bytes, so the client meets exactly the misbehaviour under test.
 */
async function fakeServer(
  react: (header: FrameHeader, reply: (bytes: Buffer) => void, socket: net.Socket) => void,
): Promise<FakeServer> {
  const received: FrameHeader[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    const decoder = new FrameDecoder(DEFAULT_LIMITS);
    socket.on('data', (chunk: Buffer) => {
      for (const { header } of decoder.decode(chunk).frames) {
        received.push(header);
        if (!socket.destroyed) react(header, (bytes) => socket.write(bytes), socket);
      }
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as net.AddressInfo).port, received };
}

const frame = (header: Frame, body?: Buffer): Buffer => encodeFrameToBuffer(header, body);
const helloThen =
  (onOpen: (header: FrameHeader, reply: (bytes: Buffer) => void, socket: net.Socket) => void) =>
  (header: FrameHeader, reply: (bytes: Buffer) => void, socket: net.Socket): void => {
    if (header.type === 'hello') reply(frame(SERVER_HELLO));
    else if (header.type === 'open') onOpen(header, reply, socket);
  };

/** Waits (bounded) for the client to have sent a frame of this type, and returns it. */
async function sentByClient(fake: FakeServer, type: string): Promise<FrameHeader> {
  const deadline = performance.now() + 5000;
  for (;;) {
    const found = fake.received.find((h) => h.type === type);
    if (found) return found;
    if (performance.now() > deadline)
      throw new Error(`client sent no "${type}"; sent ${JSON.stringify(fake.received)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('hostile servers: the client fails with a typed error and never crashes', () => {
  it('another major version: connect rejects with VERSION and tells the server why', async () => {
    const fake = await fakeServer(
      (h, reply) => h.type === 'hello' && reply(frame({ ...SERVER_HELLO, version: '2.0' })),
    );
    await assert.rejects(connect({ port: fake.port, insecure: true }), { code: 'VERSION', message: /2\.0/ });
    assert.equal((await sentByClient(fake, 'error')).code, 'VERSION');
  });

  it('the CLI reports a protocol mismatch with exit 255', async () => {
    const fake = await fakeServer(
      (h, reply) => h.type === 'hello' && reply(frame({ ...SERVER_HELLO, version: '9.1' })),
    );
    const result = await runCli(['exec', '--insecure', `127.0.0.1:${fake.port}`, '--', 'true']);
    assert.equal(result.code, 255);
    assert.match(result.stderr, /\(VERSION\)/);
  });

  it('garbage instead of hello: connect rejects with a protocol code', async () => {
    const fake = await fakeServer((h, reply) => h.type === 'hello' && reply(Buffer.from('SSH-2.0-OpenSSH_9.6\r\n')));
    await assert.rejects(
      connect({ port: fake.port, insecure: true, timeoutMs: 5000 }),
      (err: unknown) => err instanceof FrameshError && ['LIMIT', 'PROTOCOL'].includes(err.code),
    );
  });

  it('output beyond the granted window fails the connection with LIMIT', async () => {
    const fake = await fakeServer(
      helloThen((h, reply) => {
        reply(frame({ type: 'opened', ch: h.ch as number, window: 65536 }));
        reply(frame({ type: 'data', ch: h.ch as number, stream: 'stdout' }, Buffer.alloc(2000)));
      }),
    );
    const c = await connect({ port: fake.port, insecure: true });
    await assert.rejects(c.exec('x', { windowBytes: 1000 }).exit, { code: 'LIMIT' });
    assert.equal((await sentByClient(fake, 'error')).code, 'LIMIT');
  });

  it("frames after a channel's exit, in the same read, are ignored", async () => {
    const fake = await fakeServer(
      helloThen((h, reply) => {
        const ch = h.ch as number;
        reply(
          Buffer.concat([
            frame({ type: 'opened', ch, window: 65536 }),
            frame({ type: 'data', ch, stream: 'stdout' }, Buffer.from('one\n')),
            frame({ type: 'exit', ch, code: 0, signal: null }),
            frame({ type: 'data', ch, stream: 'stdout' }, Buffer.from('late\n')),
            frame({ type: 'eof', ch, stream: 'stdout' }),
            frame({ type: 'exit', ch, code: 9, signal: null }),
          ]),
        );
      }),
    );
    const c = await connect({ port: fake.port, insecure: true });
    const result = await c.run('x');
    assert.deepEqual(result, { code: 0, signal: null, stdout: 'one\n', stderr: '' });
    // The connection is still usable afterwards.
    assert.equal((await c.run('y')).stdout, 'one\n');
    await c.close();
  });

  it("data after a stream's eof is dropped, not pushed after EOF", async () => {
    const fake = await fakeServer(
      helloThen((h, reply) => {
        const ch = h.ch as number;
        reply(
          Buffer.concat([
            frame({ type: 'opened', ch, window: 65536 }),
            frame({ type: 'data', ch, stream: 'stderr' }, Buffer.from('a')),
            frame({ type: 'eof', ch, stream: 'stderr' }),
            frame({ type: 'data', ch, stream: 'stderr' }, Buffer.from('b')),
            frame({ type: 'exit', ch, code: 0, signal: null }),
          ]),
        );
      }),
    );
    const c = await connect({ port: fake.port, insecure: true });
    assert.deepEqual(await c.run('x'), { code: 0, signal: null, stdout: '', stderr: 'a' });
    await c.close();
  });

  it('a connection error frame rejects pending calls with its code', async () => {
    const fake = await fakeServer(
      helloThen((_h, reply, socket) => {
        reply(frame({ type: 'error', code: 'INTERNAL', message: 'server bug' }));
        socket.end();
      }),
    );
    const c = await connect({ port: fake.port, insecure: true });
    await assert.rejects(c.run('x'), { code: 'INTERNAL', message: /server bug/ });
  });

  it('a server that closes in the middle of a frame: UNEXPECTED_EOF', async () => {
    const fake = await fakeServer(
      helloThen((h, reply, socket) => {
        reply(frame({ type: 'opened', ch: h.ch as number, window: 65536 }));
        reply(frame({ type: 'data', ch: h.ch as number, stream: 'stdout' }, Buffer.alloc(100)).subarray(0, 30));
        socket.end();
      }),
    );
    const c = await connect({ port: fake.port, insecure: true });
    await assert.rejects(c.run('x'), { code: 'UNEXPECTED_EOF' });
  });

  it('a frame for a channel the client never opened: UNKNOWN_CHANNEL', async () => {
    const fake = await fakeServer(
      helloThen((_h, reply) => {
        reply(frame({ type: 'data', ch: 99, stream: 'stdout' }, Buffer.from('x')));
      }),
    );
    const c = await connect({ port: fake.port, insecure: true });
    await assert.rejects(c.run('x'), { code: 'UNKNOWN_CHANNEL' });
    assert.equal((await sentByClient(fake, 'error')).code, 'UNKNOWN_CHANNEL');
  });
});
