import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateMessage as validateHeader, validateOpenFields } from '../../src/protocol/message-validation.js';
import { ReceiveWindow, SendWindow } from '../../src/protocol/flow-control.js';
import { checkPeerVersion } from '../../src/protocol/hello.js';
import type { FrameHeader } from '../../src/protocol/frame.js';

/** Both steps a server applies: the header, then (once the channel id is accepted) an open's fields. */
function validateMessage(header: FrameHeader): ReturnType<typeof validateHeader> {
  const message = validateHeader(header);
  if (message.type === 'open') validateOpenFields(message);
  return message;
}

const LIMITS = { maxHeaderBytes: 65536, maxBodyBytes: 1048576, maxChannels: 64 };
const valid: FrameHeader[] = [
  { type: 'hello', version: '1.0', agent: 'x', capabilities: ['exec'], limits: LIMITS },
  { type: 'open', ch: 1, kind: 'exec', command: 'ls', window: 1 },
  {
    type: 'open',
    ch: 2,
    kind: 'exec',
    command: ['ls', '-l'],
    cwd: '/',
    env: { A: 'b' },
    timeoutMs: 5,
    login: true,
    window: 2 ** 31 - 1,
  },
  { type: 'open', ch: 3, kind: 'mkdir', path: 'a/b', mode: 0o755, window: 1024 },
  { type: 'opened', ch: 1, window: 10 },
  { type: 'data', ch: 1, stream: 'stdout', len: 3 },
  { type: 'eof', ch: 1, stream: 'stdin' },
  { type: 'window', ch: 1, bytes: 100 },
  { type: 'signal', ch: 1, signal: 'INT' },
  { type: 'cancel', ch: 1 },
  { type: 'exit', ch: 1, code: 0, signal: null },
  { type: 'exit', ch: 1, code: null, signal: 'SIGKILL', reason: 'timeout' },
  { type: 'error', code: 'LIMIT', message: 'm', ch: 3 },
  { type: 'ping', id: 0 },
  { type: 'goaway', reason: 'bye' },
  { type: 'auth', method: 'ed25519', publicKey: 'ssh-ed25519 AAAA', signature: 'c2ln' },
  { type: 'open', ch: 1, kind: 'exec', command: 'ls', window: 1, futureField: { ignored: true } },
];
const invalid: Array<[FrameHeader, RegExp]> = [
  [{ type: 'nope' }, /unknown message type "nope"/],
  [{ type: 'hello', version: '1.0', agent: 'x', capabilities: 'exec', limits: LIMITS }, /capabilities/],
  [
    { type: 'hello', version: '1.0', agent: 'x', capabilities: [], limits: { ...LIMITS, maxChannels: 0 } },
    /maxChannels/,
  ],
  [{ type: 'open', ch: 0, kind: 'exec', command: 'ls', window: 1 }, /ch must be a positive integer/],
  [{ type: 'open', ch: 1, kind: 'teleport', command: 'ls', window: 1 }, /unsupported channel kind "teleport"/],
  [{ type: 'open', ch: 1, kind: 'exec', command: '', window: 1 }, /non-empty/],
  [{ type: 'open', ch: 1, kind: 'exec', command: [], window: 1 }, /non-empty/],
  [{ type: 'open', ch: 1, kind: 'exec', command: ['ls', 3], window: 1 }, /non-empty/],
  [{ type: 'open', ch: 1, kind: 'exec', command: 'ls', window: 0 }, /window must be a positive integer/],
  [{ type: 'open', ch: 1, kind: 'exec', command: 'ls', window: 2 ** 31 }, /exceeds 2\^31-1/],
  [{ type: 'open', ch: 1, kind: 'exec', command: 'ls', window: 1, env: { A: 1 } }, /env values/],
  [{ type: 'data', ch: 1, stream: 'stdjunk' }, /stream must be/],
  [{ type: 'window', ch: 1, bytes: -5 }, /bytes must be a positive integer/],
  [{ type: 'exit', ch: 1, code: 1.5, signal: null }, /code must be an integer/],
  [{ type: 'auth', method: 'rsa', publicKey: 'x', signature: 'y' }, /method/],
  [{ type: 'hello', agent: 'x', capabilities: [], limits: LIMITS }, /version/],
  [{ type: 'opened', ch: 1 }, /window/],
  [{ type: 'data', stream: 'stdout' }, /ch must be a positive integer/],
  [{ type: 'eof', ch: 1 }, /stream must be/],
  [{ type: 'signal', ch: 1 }, /signal/],
  [{ type: 'cancel', ch: -1 }, /ch must be a positive integer/],
  [{ type: 'exit', ch: 1, code: 0 }, /signal/],
  [{ type: 'error', message: 'no code' }, /code/],
  [{ type: 'ping' }, /id/],
  [{ type: 'open', ch: 1, kind: 'exec', command: 'ls', window: 1, timeoutMs: 0 }, /timeoutMs/],
  [{ type: 'open', ch: 1, kind: 'exec', command: 'ls', window: 1, login: 'yes' }, /login/],
  [{ type: 'open', ch: 1, kind: 'exec', command: 'ls', window: 1, cwd: 5 }, /cwd/],
  [{ type: 'open', ch: 1, kind: 'mkdir', path: '', window: 1 }, /path must be a non-empty string/],
  [{ type: 'open', ch: 1, kind: 'mkdir', path: 'x', mode: '755', window: 1 }, /mode/],
];

describe('message validation', () => {
  for (const header of valid) {
    it(`accepts ${JSON.stringify(header).slice(0, 70)}`, () => {
      assert.equal(validateMessage(header).type, header.type);
    });
  }
  for (const [header, message] of invalid) {
    it(`refuses ${JSON.stringify(header).slice(0, 70)}`, () => {
      assert.throws(
        () => validateMessage(header),
        (err: Error & { code: string }) => err.code === 'PROTOCOL' && message.test(err.message),
      );
    });
  }
  it('refuses another major version and accepts another minor', () => {
    const hello = { type: 'hello', agent: 'x', capabilities: [], limits: LIMITS } as const;
    assert.doesNotThrow(() => checkPeerVersion({ ...hello, version: '1.7' }));
    assert.throws(() => checkPeerVersion({ ...hello, version: '2.0' }), { code: 'VERSION' });
    // A malformed version is a malformed field (PROTOCOL), not another version (issue 9).
    assert.throws(() => checkPeerVersion({ ...hello, version: 'one' }), { code: 'PROTOCOL' });
    assert.throws(() => checkPeerVersion({ ...hello, version: '1' }), { code: 'PROTOCOL' });
  });
});

describe('flow-control windows', () => {
  it('SendWindow spends and regains credit, refusing a grant past 2^31-1', () => {
    const w = new SendWindow(10);
    w.consume(10);
    assert.equal(w.available, 0);
    w.grant(5);
    assert.equal(w.available, 5);
    assert.throws(() => w.grant(2 ** 31), { code: 'PROTOCOL' });
  });

  it('SendWindow accepts credit up to exactly 2^31-1', () => {
    const w = new SendWindow(2 ** 31 - 2);
    w.grant(1);
    assert.equal(w.available, 2 ** 31 - 1);
    assert.throws(() => w.grant(1), { code: 'PROTOCOL', message: /2\^31-1/ });
  });

  it('ReceiveWindow refuses an overrun with LIMIT', () => {
    const w = new ReceiveWindow(100);
    w.receive(60);
    assert.throws(() => w.receive(41), { code: 'LIMIT' });
  });

  it('ReceiveWindow returns credit in batches of at least half the window', () => {
    const w = new ReceiveWindow(100);
    w.receive(40);
    assert.equal(w.consume(30), 0);
    assert.equal(w.consume(10), 0);
    w.receive(60);
    assert.equal(w.consume(60), 100);
    w.receive(100);
    // Nothing left outstanding: credit must go back even below half, or the sender would stall.
    assert.equal(w.consume(10), 10);
  });
});
