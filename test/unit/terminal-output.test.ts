/**
 * TerminalOutput (server/pty): node-pty's data events as a Readable. The real class over a recording
 * stand-in for node-pty's IPty (its dependency), in memory.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import {
  TERMINAL_READ_AHEAD_BYTES,
  TerminalOutput,
  type PtyOutputSource,
} from '../../src/server/pty/terminal-output.js';

class RecordingPty implements PtyOutputSource {
  listener: ((data: Buffer | string) => void) | null = null;
  readonly calls: string[] = [];
  onData(listener: (data: Buffer | string) => void): { dispose(): void } {
    this.listener = listener;
    return { dispose: () => (this.listener = null) };
  }
  pause(): void {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
  emit(data: Buffer | string): void {
    this.listener?.(data);
  }
}

/** node-pty reads up to the read-ahead, in 64 KiB pieces. */
function fillReadAhead(pty: RecordingPty): void {
  const piece = Buffer.alloc(64 * 1024, 1);
  for (let sent = 0; sent < TERMINAL_READ_AHEAD_BYTES; sent += piece.length) pty.emit(piece);
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('TerminalOutput', () => {
  it('passes each read on in order, strings as UTF-8', async () => {
    const pty = new RecordingPty();
    const output = new TerminalOutput(pty);
    const chunks: Buffer[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk));
    pty.emit(Buffer.from('ab'));
    pty.emit('c漢');
    await nextTurn();
    assert.deepEqual(
      chunks.map((c) => c.toString('utf8')),
      ['ab', 'c漢'],
    );
  });

  it('stops reading the terminal at the read-ahead and reads again once the reader took it', async () => {
    const pty = new RecordingPty();
    const output = new TerminalOutput(pty);
    fillReadAhead(pty);
    assert.deepEqual(pty.calls, ['pause']);
    assert.equal(output.readableLength, TERMINAL_READ_AHEAD_BYTES);
    output.read();
    await nextTurn();
    assert.deepEqual(pty.calls, ['pause', 'resume']);
  });

  it('finish() ends the stream after the last read', async () => {
    const pty = new RecordingPty();
    const output = new TerminalOutput(pty);
    const chunks: string[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    pty.emit('last words');
    output.finish();
    await once(output, 'end');
    assert.deepEqual(chunks, ['last words']);
  });

  it('whenReading() runs at once while reading, and only a loop round after a paused terminal resumed', async () => {
    const pty = new RecordingPty();
    const output = new TerminalOutput(pty);
    const order: string[] = [];
    output.whenReading(() => order.push('now'));
    assert.deepEqual(order, ['now']);
    fillReadAhead(pty);
    output.whenReading(() => order.push('after resume'));
    await nextTurn();
    assert.deepEqual(order, ['now'], 'ran while the terminal was paused');
    output.read();
    assert.deepEqual(order, ['now'], 'ran before what node-pty buffered was handed over');
    await nextTurn();
    await nextTurn();
    assert.deepEqual(order, ['now', 'after resume']);
    assert.deepEqual(pty.calls, ['pause', 'resume']);
  });

  it("fromTerminal() reads join the stream in order with node-pty's", async () => {
    const pty = new RecordingPty();
    const output = new TerminalOutput(pty);
    const chunks: string[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    pty.emit('from node-pty ');
    output.fromTerminal(Buffer.from('read by the server'));
    output.finish();
    await once(output, 'end');
    assert.deepEqual(chunks, ['from node-pty ', 'read by the server']);
  });
});
