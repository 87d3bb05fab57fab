import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExecCall } from '../../src/client/exec-call.js';
import type { CallTransport } from '../../src/client/client-channel.js';
import { ConnectionError, RemoteError } from '../../src/errors.js';
import type { Message } from '../../src/protocol/messages.js';

/**
 * ExecCall's state machine (PROTOCOL.md §4, §5), the client end of one exec channel, driven message by
 * message. Its transport is a recording fake of the CallTransport dependency; every frame it sends is
 * asserted.
 */

const turns = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

function harness(windowBytes = 100) {
  const sent: string[] = [];
  const link: CallTransport = {
    send: (m: Message, body?: Buffer) => void sent.push(JSON.stringify(m) + (body ? ` ${body.toString()}` : '')),
    sendData: (stream, body) => (sent.push(`data ${stream} ${body.toString()}`), true),
    maxChunkBytes: () => 4,
    writable: true,
    whenWritable: (wake) => setImmediate(wake),
  };
  const call = new ExecCall(9, link, windowBytes);
  return { call, take: () => sent.splice(0) };
}

describe('ExecCall, message by message', () => {
  it('started on opened, output delivered in order, credit returned as taken, exit after eofs', async () => {
    const { call, take } = harness(10);
    let started = false;
    void call.started.then(() => (started = true));
    call.handle({ type: 'opened', ch: 9, window: 50 }, Buffer.alloc(0));
    await turns();
    assert.ok(started);
    assert.ok(call.running);
    call.handle({ type: 'data', ch: 9, stream: 'stdout' }, Buffer.from('hello'));
    call.handle({ type: 'data', ch: 9, stream: 'stderr' }, Buffer.from('oops'));
    assert.equal(call.stdout.read()?.toString(), 'hello');
    assert.equal(call.stderr.read()?.toString(), 'oops');
    await turns();
    // Credit goes back as the streams take the bytes (their buffers have room), batched by at least half
    // the window: 5 now; stderr's 4 wait, since the sender still holds credit (PROTOCOL.md §5).
    assert.deepEqual(take(), ['{"type":"window","ch":9,"bytes":5}']);
    call.handle({ type: 'eof', ch: 9, stream: 'stdout' }, Buffer.alloc(0));
    call.handle({ type: 'eof', ch: 9, stream: 'stderr' }, Buffer.alloc(0));
    call.handle({ type: 'exit', ch: 9, code: 0, signal: null, reason: 'timeout' }, Buffer.alloc(0));
    assert.deepEqual(await call.exit, { code: 0, signal: null, reason: 'timeout' });
    assert.equal(call.running, false);
    // After exit: late frames are dropped and nothing is sent.
    call.handle({ type: 'data', ch: 9, stream: 'stdout' }, Buffer.from('late'));
    call.cancel();
    call.signal('INT');
    assert.deepEqual(take(), []);
  });

  it('data beyond the receive window is a LIMIT failure', async () => {
    const { call } = harness(4);
    call.handle({ type: 'opened', ch: 9, window: 1 }, Buffer.alloc(0));
    assert.throws(() => call.handle({ type: 'data', ch: 9, stream: 'stdout' }, Buffer.from('12345')), {
      code: 'LIMIT',
    });
  });

  it('stdin waits for opened and for window credit, in chunks of at most maxChunkBytes', async () => {
    const { call, take } = harness();
    call.stdin.write('abcdefghij');
    await turns();
    assert.deepEqual(take(), [], 'nothing before opened');
    call.handle({ type: 'opened', ch: 9, window: 6 }, Buffer.alloc(0));
    await turns();
    assert.deepEqual(take(), ['data stdin abcd', 'data stdin ef']);
    call.handle({ type: 'window', ch: 9, bytes: 10 }, Buffer.alloc(0));
    await turns();
    assert.deepEqual(take(), ['data stdin ghij']);
    call.stdin.end();
    await turns();
    assert.deepEqual(take(), ['{"type":"eof","ch":9,"stream":"stdin"}']);
  });

  it('signal and cancel while running are frames on the channel', () => {
    const { call, take } = harness();
    call.handle({ type: 'opened', ch: 9, window: 6 }, Buffer.alloc(0));
    call.signal('TERM');
    call.cancel();
    assert.deepEqual(take(), ['{"type":"signal","ch":9,"signal":"TERM"}', '{"type":"cancel","ch":9}']);
  });

  it('an error frame before opened rejects started and exit with a RemoteError of that code', async () => {
    const { call } = harness();
    call.handle({ type: 'error', ch: 9, code: 'ENOENT_COMMAND', message: 'command not found: x' }, Buffer.alloc(0));
    await assert.rejects(call.started, (err: unknown) => err instanceof RemoteError && err.code === 'ENOENT_COMMAND');
    await assert.rejects(call.exit, { code: 'ENOENT_COMMAND', message: 'command not found: x' });
    assert.equal(call.running, false);
  });

  it('a lost connection fails a running call once, keeping the caller stack', async () => {
    const { call } = harness();
    call.handle({ type: 'opened', ch: 9, window: 6 }, Buffer.alloc(0));
    call.fail(new ConnectionError('CONNECTION_RESET', 'reset'));
    call.fail(new ConnectionError('CONNECTION_CLOSED', 'second failure ignored'));
    await assert.rejects(
      call.exit,
      (err: Error & { code: string }) =>
        err.code === 'CONNECTION_RESET' && /remote call started at/.test(String(err.stack)),
    );
    await call.started;
  });
});
