import type { Readable } from 'node:stream';
import type { SendWindow } from '../../protocol/flow-control.js';

/**
 * Moves one child pipe (stdout or stderr) to the peer within the channel's
 * send window. When credit runs out the pipe is paused, so the child blocks
 * on write and server memory stays bounded by one pipe read beyond the window
 * (PROTOCOL.md §5).
 */
export class OutputPump {
  private readonly source: Readable;
  private readonly window: SendWindow;
  private readonly sendChunk: (chunk: Buffer) => boolean | void;
  private readonly maxChunkBytes: () => number;
  private held: Buffer | null = null;
  /** The transport's buffer is full: a peer that grants window but does not read must not grow our memory. */
  private blocked = false;
  /** The connection is gone: read the pipe to its end and drop what comes. */
  private dropped = false;
  private ended = false;
  private finished = false;
  private onFinished: (() => void) | null = null;
  /** Resolves once every byte of the source has been sent and the source ended. */
  readonly done: Promise<void>;

  constructor(source: Readable, window: SendWindow, sendChunk: (chunk: Buffer) => boolean | void, maxChunkBytes: () => number) {
    this.source = source;
    this.window = window;
    this.sendChunk = sendChunk;
    this.maxChunkBytes = maxChunkBytes;
    this.done = new Promise((resolve) => {
      this.onFinished = resolve;
    });
    source.on('data', (chunk: Buffer) => this.onData(chunk));
    source.once('end', () => {
      this.ended = true;
      this.maybeFinish();
    });
    // A pipe error (EIO after a kill) ends the stream like EOF; the exit status tells the rest.
    source.once('error', () => {
      this.ended = true;
      this.maybeFinish();
    });
  }

  /** Sends what the window allows now; call after the window grew. */
  flush(): void {
    while (this.held && this.window.available > 0 && !this.blocked) {
      const size = Math.min(this.held.length, this.window.available, this.maxChunkBytes());
      const whole = size === this.held.length;
      const piece = whole ? this.held : this.held.subarray(0, size);
      this.held = whole ? null : this.held.subarray(size);
      this.window.consume(size);
      // false (not void) means the transport is full; a caller that returns it must call unblock() on drain.
      if (this.sendChunk(piece) === false) this.blocked = true;
    }
    if (this.held || this.blocked) {
      this.source.pause();
    } else {
      if (this.source.isPaused()) this.source.resume();
      this.maybeFinish();
    }
  }

  /** The transport drained: continue sending. */
  unblock(): void {
    if (!this.blocked) return;
    this.blocked = false;
    this.flush();
  }

  /** Drops held bytes and stops sending (connection gone). */
  discard(): void {
    this.dropped = true;
    this.blocked = false;
    this.held = null;
    this.source.resume();
  }

  private onData(chunk: Buffer): void {
    if (this.dropped) return;
    this.held = this.held ? Buffer.concat([this.held, chunk]) : chunk;
    this.flush();
  }

  private maybeFinish(): void {
    if (this.finished || !this.ended || this.held) return;
    this.finished = true;
    this.onFinished?.();
  }
}
