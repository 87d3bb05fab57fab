import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { FramedConnection } from '../../src/connection/framed-connection.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import type { Frame } from '../../src/protocol/frame.js';
import type { ExecOpenMessage } from '../../src/protocol/messages.js';
import { ExecChannel, type ExecSummary } from '../../src/server/exec/exec-channel.js';
import type { ExitStatus, LaunchSpec, ProcessLauncher, RunningProcess } from '../../src/server/process/launcher.js';
import { SpawnError } from '../../src/server/process/spawn-error.js';
import { duplexPair } from '../helpers/duplex-pair.js';

/**
 * ExecChannel's state machine (PROTOCOL.md §4, §5) against a fake ProcessLauncher (a fake of its
 * dependency: in-memory pipes and an exit we resolve), over a real FramedConnection on a duplex pair.
 * Every frame the channel sends is asserted, in order.
 */

const turns = async (n = 10): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

class FakeProcess implements RunningProcess {
  readonly pid = 4242;
  readonly stdin = new PassThrough();
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly signals: string[] = [];
  readonly exited: Promise<ExitStatus>;
  exit!: (status: ExitStatus) => void;
  constructor() {
    this.exited = new Promise((resolve) => (this.exit = resolve));
  }
  signalGroup(signal: NodeJS.Signals): void {
    this.signals.push(signal);
  }
}

class FakeLauncher implements ProcessLauncher {
  readonly specs: LaunchSpec[] = [];
  readonly process = new FakeProcess();
  failWith: SpawnError | null = null;
  launch(spec: LaunchSpec): Promise<RunningProcess> {
    this.specs.push(spec);
    return this.failWith ? Promise.reject(this.failWith) : Promise.resolve(this.process);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function harness(open: Partial<ExecOpenMessage> = {}, killGraceMs = 60_000) {
  const [ours, peer] = duplexPair();
  const conn = new FramedConnection(ours);
  const frames: Frame[] = [];
  const decoder = new FrameDecoder({ maxHeaderBytes: 65536, maxBodyBytes: 1 << 20 });
  peer.on('data', (chunk: Buffer) => frames.push(...decoder.decode(chunk).frames));
  const launcher = new FakeLauncher();
  const log: string[] = [];
  let summary: ExecSummary | null = null;
  const request: ExecOpenMessage = { type: 'open', ch: 5, kind: 'exec', command: 'echo hi', window: 1024, ...open };
  const channel = new ExecChannel(request, {
    conn,
    remote: 'test',
    fingerprint: null,
    endpoints: { clientAddress: '127.0.0.1', clientPort: 1, serverAddress: '127.0.0.1', serverPort: 2 },
    onEnded: () => log.push('ended'),
    launcher,
    defaultCwd: '/',
    baseEnv: { BASE: '1' },
    login: false,
    maxTimeoutMs: 0,
    killGraceMs,
    stdinWindowBytes: 100,
    events: {
      started: (_c, pid) => log.push(`started ${pid}`),
      ended: (_c, s) => {
        summary = s;
        log.push('audit');
      },
    },
  });
  /** Frames sent since the last call, as header (+ body text). */
  const take = (): string[] =>
    frames.splice(0).map((f) => JSON.stringify(f.header) + (f.body.length ? ` ${f.body.toString()}` : ''));
  return { channel, launcher, proc: launcher.process, log, take, summary: () => summary };
}

describe('ExecChannel against a fake ProcessLauncher', () => {
  it('opened, output in order, eof per stream, and exit only after the last byte and both eofs', async () => {
    const h = harness({ env: { A: 'b' } });
    const done = h.channel.start();
    await turns();
    assert.equal(h.launcher.specs.length, 1);
    assert.equal(h.launcher.specs[0]?.env.A, 'b');
    assert.equal(h.launcher.specs[0]?.env.BASE, '1');
    assert.deepEqual(h.take(), ['{"type":"opened","ch":5,"window":100}']);
    assert.deepEqual(h.log, ['started 4242']);
    h.proc.stdout.write('out1');
    await turns();
    h.proc.stderr.write('err1');
    await turns();
    assert.deepEqual(h.take(), [
      '{"type":"data","ch":5,"stream":"stdout","len":4} out1',
      '{"type":"data","ch":5,"stream":"stderr","len":4} err1',
    ]);
    // The leader exits while its pipes are still open: no exit frame yet (PROTOCOL.md §4.7).
    h.proc.exit({ code: 3, signal: null });
    await turns();
    assert.deepEqual(h.take(), []);
    h.proc.stdout.end('out2');
    await turns();
    assert.deepEqual(h.take(), [
      '{"type":"data","ch":5,"stream":"stdout","len":4} out2',
      '{"type":"eof","ch":5,"stream":"stdout"}',
    ]);
    assert.deepEqual(h.log, ['started 4242']);
    h.proc.stderr.end();
    await done;
    await turns(); // the final frames leave with the round's batch
    assert.deepEqual(h.take(), [
      '{"type":"eof","ch":5,"stream":"stderr"}',
      '{"type":"exit","ch":5,"code":3,"signal":null}',
    ]);
    assert.deepEqual(h.log, ['started 4242', 'ended', 'audit']);
    assert.equal(h.summary()?.stdoutBytes, 8);
    assert.equal(h.summary()?.stderrBytes, 4);
  });

  it('sends no more output than the window allows, and the rest when credit comes', async () => {
    const h = harness({ window: 3 });
    void h.channel.start();
    await turns();
    h.take();
    h.proc.stdout.write('abcdefg');
    await turns();
    assert.deepEqual(h.take(), ['{"type":"data","ch":5,"stream":"stdout","len":3} abc']);
    h.channel.onWindow(2);
    await turns();
    assert.deepEqual(h.take(), ['{"type":"data","ch":5,"stream":"stdout","len":2} de']);
    h.channel.onWindow(100);
    await turns();
    assert.deepEqual(h.take(), ['{"type":"data","ch":5,"stream":"stdout","len":2} fg']);
  });

  it('stdin reaches the process and its window credit comes back once written; eof ends stdin', async () => {
    const h = harness();
    void h.channel.start();
    await turns();
    h.take();
    const got: string[] = [];
    h.proc.stdin.on('data', (c: Buffer) => got.push(c.toString()));
    h.channel.onData('stdin', Buffer.alloc(60, 'x'));
    await turns();
    assert.deepEqual(got, ['x'.repeat(60)]);
    // 60 of a 100-byte window consumed: at least half, so the credit goes back at once.
    assert.deepEqual(h.take(), ['{"type":"window","ch":5,"bytes":60}']);
    let ended = false;
    h.proc.stdin.on('end', () => (ended = true));
    h.channel.onEof('stdin');
    await turns();
    assert.ok(ended);
    assert.throws(() => h.channel.onData('stdout', Buffer.from('x')), { code: 'PROTOCOL' });
    assert.throws(() => h.channel.onData('stdin', Buffer.alloc(101)), { code: 'LIMIT' });
  });

  it('a launch failure is a channel error with its code, and the channel ends without opened', async () => {
    const h = harness();
    h.launcher.failWith = new SpawnError('ENOENT_COMMAND', 'command not found: nope');
    await h.channel.start();
    await turns();
    assert.deepEqual(h.take(), ['{"type":"error","ch":5,"code":"ENOENT_COMMAND","message":"command not found: nope"}']);
    assert.deepEqual(h.log, ['ended', 'audit']);
    assert.equal(h.summary()?.errorCode, 'ENOENT_COMMAND');
  });

  it('cancel: SIGTERM to the group, SIGKILL after the grace, exit carries the reason', async () => {
    const h = harness({}, 20);
    const done = h.channel.start();
    await turns();
    h.take();
    h.channel.terminate('cancel');
    assert.deepEqual(h.proc.signals, ['SIGTERM']);
    h.channel.terminate('timeout'); // a second end request changes nothing
    assert.deepEqual(h.proc.signals, ['SIGTERM']);
    // The grace timer fires on its own (20 ms here); wait for it, bounded.
    for (let i = 0; i < 400 && h.proc.signals.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(h.proc.signals, ['SIGTERM', 'SIGKILL']);
    h.proc.stdout.end();
    h.proc.stderr.end();
    h.proc.exit({ code: null, signal: 'SIGKILL' });
    await done;
    await turns(); // the final frames leave with the round's batch
    assert.deepEqual(h.take(), [
      '{"type":"eof","ch":5,"stream":"stdout"}',
      '{"type":"eof","ch":5,"stream":"stderr"}',
      '{"type":"exit","ch":5,"code":null,"signal":"SIGKILL","reason":"cancel"}',
    ]);
  });

  it('a signal sent before the process exists is delivered once it does', async () => {
    const h = harness();
    h.channel.onSignal('INT');
    assert.deepEqual(h.proc.signals, []);
    void h.channel.start();
    await turns();
    assert.deepEqual(h.proc.signals, ['SIGINT']);
    assert.throws(() => h.channel.onSeek(), { code: 'PROTOCOL', message: /"seek" on a channel that is not a put/ });
  });
});
