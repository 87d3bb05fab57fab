import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { FramedConnection } from '../../src/connection/framed-connection.js';
import { SecurityError } from '../../src/errors.js';
import { DEFAULT_LIMITS } from '../../src/protocol/constants.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import type { FrameHeader } from '../../src/protocol/frame.js';
import type { ChannelFactory, ChannelSetup, ServerChannel } from '../../src/server/server-channel.js';
import { ServerSession, type AuthenticatedIdentity, type Authenticator } from '../../src/server/server-session.js';
import { duplexPair } from '../helpers/duplex-pair.js';

/**
 * ServerSession's state machine (PROTOCOL.md §2, §4, §10) over an in-memory duplex pair: the peer's
 * frames are written one byte at a time, every frame the session sends is asserted. Channels are a
 * recording fake of the ChannelFactory dependency; the session under test is the real one.
 */

const HELLO = { type: 'hello', version: '1.0', agent: 'test', capabilities: [], limits: DEFAULT_LIMITS };
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class RecordingChannel implements ServerChannel {
  readonly calls: string[] = [];
  constructor(
    readonly id: number,
    readonly setup: ChannelSetup,
  ) {}
  start(): Promise<void> {
    this.calls.push('start');
    return Promise.resolve();
  }
  onData(stream: string, body: Buffer): void {
    this.calls.push(`data ${stream} ${body.toString()}`);
  }
  onResize(): void {
    this.calls.push('resize');
  }
  onEof(stream: string): void {
    this.calls.push(`eof ${stream}`);
  }
  onWindow(bytes: number): void {
    this.calls.push(`window ${bytes}`);
  }
  onSignal(name: string): void {
    this.calls.push(`signal ${name}`);
  }
  onSeek(offset: number): void {
    this.calls.push(`seek ${offset}`);
  }
  onDone(): Promise<void> {
    this.calls.push('done');
    return Promise.resolve();
  }
  terminate(reason: string): void {
    this.calls.push(`terminate ${reason}`);
  }
  abandon(): void {
    this.calls.push('abandon');
  }
  /** The channel sent its final frame. */
  end(): void {
    this.setup.onEnded();
  }
}

function harness(
  options: { maxChannels?: number; authenticator?: Authenticator; identity?: AuthenticatedIdentity } = {},
) {
  const [ours, peer] = duplexPair();
  const conn = new FramedConnection(ours);
  const channels = new Map<number, RecordingChannel>();
  const factory: ChannelFactory = (open, setup) => {
    const channel = new RecordingChannel(open.ch, setup);
    channels.set(open.ch, channel);
    return channel;
  };
  const session = new ServerSession(conn, {
    limits: { ...DEFAULT_LIMITS, maxChannels: options.maxChannels ?? 8 },
    remote: 'test',
    endpoints: { clientAddress: '127.0.0.1', clientPort: 1, serverAddress: '127.0.0.1', serverPort: 2 },
    channelKinds: new Map([['exec', factory]]),
    ...(options.authenticator && { authenticator: options.authenticator }),
    ...(options.identity && { identity: options.identity }),
  });
  const received: FrameHeader[] = [];
  const decoder = new FrameDecoder({ maxHeaderBytes: 65536, maxBodyBytes: 1 << 20 });
  let ended = false;
  peer.on('data', (chunk: Buffer) => received.push(...decoder.decode(chunk).frames.map((f) => f.header)));
  peer.on('end', () => {
    ended = true;
  });
  return {
    session,
    channels,
    received,
    get ended() {
      return ended;
    },
    /** Writes one frame a byte at a time, then lets the session answer. */
    async send(header: Record<string, unknown> & { type: string }, body?: Buffer): Promise<void> {
      const bytes = encodeFrameToBuffer(header, body);
      for (let i = 0; i < bytes.length; i++) (peer as Duplex).write(bytes.subarray(i, i + 1));
      for (let i = 0; i < 5; i++) await turn();
    },
    /** The peer closes its side too; resolves once the session's connection has closed. */
    async endPeer(): Promise<void> {
      peer.end();
      for (let i = 0; i < 200 && !conn.closed; i++) await turn();
      assert.ok(conn.closed);
    },
    /** The frames received since the last call. */
    take(): FrameHeader[] {
      return received.splice(0);
    },
    async closedWith(code: string, message: RegExp): Promise<void> {
      for (let i = 0; i < 200 && !ended; i++) await turn();
      const last = received.at(-1);
      assert.equal(last?.type, 'error', JSON.stringify(received));
      assert.equal(last?.code, code);
      assert.match(String(last?.message), message);
      assert.equal(last?.ch, undefined);
      assert.ok(ended, 'the session closed the connection');
    },
  };
}

const open = (ch: number) => ({ type: 'open', ch, kind: 'exec', command: 'x', window: 1024 });

describe('ServerSession over a duplex pair', () => {
  it('a session authenticated before its first frame (the browser terminal, PROTOCOL.md §12.3) offers no auth and gives channels its identity', async () => {
    const identity = { fingerprint: 'SHA256:minted-by', comment: 'me@laptop' };
    const h = harness({ identity });
    await h.send(HELLO);
    const [hello] = h.take();
    assert.equal(hello?.type, 'hello');
    assert.ok(!(hello?.capabilities as string[]).includes('auth-ed25519'), 'no auth is asked for');
    await h.send(open(1));
    const channel = h.channels.get(1) as RecordingChannel;
    assert.deepEqual(channel.calls, ['start']);
    assert.equal(channel.setup.fingerprint, 'SHA256:minted-by');
    assert.deepEqual(channel.setup.identity, identity);
  });

  it('a session with an identity still refuses its key options’ forbidden channels (a no-pty key gets no terminal)', async () => {
    const h = harness({
      identity: {
        fingerprint: 'SHA256:k',
        comment: '',
        options: { pty: false, forcedCommand: null, from: null, expiresAtMs: null, names: ['no-pty'] },
      },
    });
    await h.send(HELLO);
    h.take();
    await h.send({ ...open(1), pty: { term: 'xterm', cols: 80, rows: 24 } });
    const [refusal] = h.take();
    assert.equal(refusal?.type, 'error');
    assert.equal(refusal?.code, 'RESTRICTED');
    assert.equal(h.channels.size, 0);
  });

  it('answers hello with its own, then routes each channel frame to its channel', async () => {
    const h = harness();
    await h.send(HELLO);
    const [hello, ...rest] = h.take();
    assert.equal(hello?.type, 'hello');
    assert.deepEqual(rest, []);
    await h.send(open(1));
    const channel = h.channels.get(1) as RecordingChannel;
    assert.deepEqual(channel.calls, ['start']);
    await h.send({ type: 'data', ch: 1, stream: 'stdin' }, Buffer.from('hi'));
    await h.send({ type: 'eof', ch: 1, stream: 'stdin' });
    await h.send({ type: 'window', ch: 1, bytes: 10 });
    await h.send({ type: 'signal', ch: 1, signal: 'INT' });
    await h.send({ type: 'seek', ch: 1, offset: 0 });
    await h.send({ type: 'done', ch: 1 });
    await h.send({ type: 'cancel', ch: 1 });
    assert.deepEqual(channel.calls, [
      'start',
      'data stdin hi',
      'eof stdin',
      'window 10',
      'signal INT',
      'seek 0',
      'done',
      'terminate cancel',
    ]);
    assert.equal(h.session.openChannels, 1);
    await h.send({ type: 'ping', id: 7 });
    assert.deepEqual(h.take(), [{ type: 'pong', id: 7 }]);
  });

  it('anything before hello is a protocol error', async () => {
    const h = harness();
    await h.send({ type: 'ping', id: 1 });
    await h.closedWith('PROTOCOL', /expected "hello" first, got "ping"/);
  });

  it('a channel id not above the highest opened is a protocol error', async () => {
    const h = harness();
    await h.send(HELLO);
    await h.send(open(3));
    await h.send(open(2));
    await h.closedWith('PROTOCOL', /channel id 2 is not above the highest id opened so far \(3\)/);
    assert.deepEqual(h.channels.get(3)?.calls, ['start']);
    await h.endPeer();
    assert.deepEqual(h.channels.get(3)?.calls, ['start', 'abandon'], 'a closed connection abandons its channels');
  });

  it('reusing an id is a protocol error, even after that channel ended', async () => {
    const h = harness();
    await h.send(HELLO);
    await h.send(open(1));
    h.channels.get(1)?.end();
    assert.equal(h.session.openChannels, 0);
    await h.send(open(1));
    await h.closedWith('PROTOCOL', /channel id 1 is not above/);
  });

  it('a frame for an id never opened is UNKNOWN_CHANNEL; one for a closed id is dropped', async () => {
    const h = harness();
    await h.send(HELLO);
    await h.send(open(2));
    h.channels.get(2)?.end();
    h.take();
    // Id 1 was skipped and id 2 has ended: both are at or below the highest id, so frames for them crossed
    // our final frame on the wire and are dropped without an answer.
    await h.send({ type: 'data', ch: 1, stream: 'stdin' }, Buffer.from('late'));
    await h.send({ type: 'window', ch: 2, bytes: 5 });
    assert.deepEqual(h.take(), []);
    assert.deepEqual(h.channels.get(2)?.calls, ['start']);
    assert.equal(h.ended, false);
    await h.send({ type: 'window', ch: 3, bytes: 5 });
    await h.closedWith('UNKNOWN_CHANNEL', /channel 3 was never opened/);
  });

  it('beyond maxChannels an open gets a channel error LIMIT; an ended channel frees its place', async () => {
    const h = harness({ maxChannels: 1 });
    await h.send(HELLO);
    h.take();
    await h.send(open(1));
    await h.send(open(2));
    assert.deepEqual(h.take(), [{ type: 'error', ch: 2, code: 'LIMIT', message: 'too many open channels (limit 1)' }]);
    assert.equal(h.channels.has(2), false);
    h.channels.get(1)?.end();
    await h.send(open(3));
    assert.deepEqual(h.channels.get(3)?.calls, ['start']);
    assert.equal(h.ended, false);
  });

  it('a client may not send server messages', async () => {
    const h = harness();
    await h.send(HELLO);
    await h.send(open(1));
    await h.send({ type: 'exit', ch: 1, code: 0, signal: null });
    await h.closedWith('PROTOCOL', /a client may not send "exit"/);
  });

  it('after drain(): goaway, then every open is refused with SHUTTING_DOWN; close once idle', async () => {
    const h = harness();
    await h.send(HELLO);
    await h.send(open(1));
    h.take();
    h.session.drain();
    await turn();
    // The ping with id 0 after goaway (PROTOCOL.md §6): its pong proves every earlier open was read.
    assert.deepEqual(h.take(), [
      { type: 'goaway', reason: 'server is shutting down' },
      { type: 'ping', id: 0 },
    ]);
    await h.send(open(2));
    assert.deepEqual(h.take(), [{ type: 'error', ch: 2, code: 'SHUTTING_DOWN', message: 'server is shutting down' }]);
    assert.equal(h.ended, false);
    await h.send({ type: 'pong', id: 0 });
    h.channels.get(1)?.end();
    for (let i = 0; i < 200 && !h.ended; i++) await turn();
    assert.ok(h.ended, 'closed when the last channel ended');
  });

  describe('authentication (PROTOCOL.md §10)', () => {
    function authenticator(): Authenticator & { resolve(): void; reject(): void; checked: string[] } {
      let settle: { resolve(): void; reject(): void } = { resolve() {}, reject() {} };
      const checked: string[] = [];
      return {
        checked,
        authenticate(message) {
          checked.push(message.publicKey);
          return new Promise((resolve, reject) => {
            settle = {
              resolve: () => resolve({ fingerprint: 'SHA256:test', comment: 'c' }),
              reject: () => reject(new SecurityError('AUTH_FAILED', 'key not authorized')),
            };
          });
        },
        resolve: () => settle.resolve(),
        reject: () => settle.reject(),
      };
    }
    const auth = { type: 'auth', method: 'ed25519', publicKey: 'ssh-ed25519 AAAA', signature: 'c2ln' };

    it('offers auth-ed25519; only ping is answered before auth; auth-ok after the check, then channels', async () => {
      const a = authenticator();
      const h = harness({ authenticator: a });
      await h.send(HELLO);
      const [hello] = h.take();
      assert.ok((hello?.capabilities as string[]).includes('auth-ed25519'));
      await h.send({ type: 'ping', id: 1 });
      assert.deepEqual(h.take(), [{ type: 'pong', id: 1 }]);
      await h.send(auth);
      assert.deepEqual(a.checked, ['ssh-ed25519 AAAA']);
      assert.deepEqual(h.take(), [], 'nothing until the check ends');
      await h.send({ type: 'ping', id: 2 });
      assert.deepEqual(h.take(), [{ type: 'pong', id: 2 }], 'ping still answered while pending');
      a.resolve();
      // Replies are written once the loop has handled its round of I/O (FramedConnection's batch).
      for (let i = 0; i < 5; i++) await turn();
      assert.deepEqual(h.take(), [{ type: 'auth-ok', fingerprint: 'SHA256:test' }]);
      await h.send(open(1));
      assert.deepEqual(h.channels.get(1)?.calls, ['start']);
    });

    it('an open before auth is a protocol error and opens nothing', async () => {
      const h = harness({ authenticator: authenticator() });
      await h.send(HELLO);
      await h.send(open(1));
      await h.closedWith('PROTOCOL', /"open" before authentication/);
      assert.equal(h.channels.size, 0);
    });

    it('an open while the check is pending is a protocol error', async () => {
      const a = authenticator();
      const h = harness({ authenticator: a });
      await h.send(HELLO);
      await h.send(auth);
      await h.send(open(1));
      await h.closedWith('PROTOCOL', /"open" before authentication/);
      assert.equal(h.channels.size, 0);
    });

    it('a second auth while one is pending is a protocol error', async () => {
      const a = authenticator();
      const h = harness({ authenticator: a });
      await h.send(HELLO);
      await h.send(auth);
      await h.send(auth);
      await h.closedWith('PROTOCOL', /"auth" before authentication/);
      assert.equal(a.checked.length, 1);
    });

    it('a refused key fails the connection with the authenticator code', async () => {
      const a = authenticator();
      const h = harness({ authenticator: a });
      await h.send(HELLO);
      await h.send(auth);
      a.reject();
      await h.closedWith('AUTH_FAILED', /key not authorized/);
    });
  });
});
