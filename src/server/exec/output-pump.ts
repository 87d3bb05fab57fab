import type { Readable } from 'node:stream';
import type { Outbound } from '../../connection/framed-connection.js';
import type { SendWindow } from '../../protocol/flow-control.js';

/**
 * Moves one source (a child's stdout or stderr, a file) to the peer within
 * the channel's send window and the socket's backpressure. When either runs
 * out the source is paused, so the child blocks on write (or the file is not
 * read) and server memory stays bounded by one source read beyond what the
 * socket holds (PROTOCOL.md §5), whatever window the peer grants.
 *
 * States: flowing → (window empty | socket full) → paused → flowing … → finished
 * once the source ended and nothing is held.
 */
export class OutputPump {
  private readonly source: Readable;
  private readonly window: SendWindow;
  private readonly outbound: Outbound;
  private readonly sendChunk: (chunk: Buffer) => void;
  private readonly maxChunkBytes: () => number;
  private held: Buffer | null = null;
  /** Waiting for the socket to drain (registered once with outbound.whenWritable). */
  private waitingForSocket = false;
  /** The connection is gone: read the source to its end and drop what comes. */
  private dropped = false;
  private ended = false;
  private finished = false;
  private onFinished: (() => void) | null = null;
  /** Resolves once every byte of the source has been sent and the source ended. */
  readonly done: Promise<void>;

  constructor(
    source: Readable,
    window: SendWindow,
    outbound: Outbound,
    sendChunk: (chunk: Buffer) => void,
    maxChunkBytes: () => number,
  ) {
    this.source = source;
    this.window = window;
    this.outbound = outbound;
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

  /** Bytes read from the source and not yet sent. */
  get heldBytes(): number {
    return this.held?.length ?? 0;
  }

  /** True while the source is paused for want of window or socket room. */
  get paused(): boolean {
    return this.source.isPaused();
  }

  /** Sends what the window and the socket allow now; call after the window grew. */
  flush(): void {
    if (this.dropped) return;
    while (this.held && this.window.available > 0) {
      // Checked before every frame, so all writers together overshoot the high-water mark by one frame at most.
      if (!this.outbound.writable) {
        this.waitForSocket();
        break;
      }
      const size = Math.min(this.held.length, this.window.available, this.maxChunkBytes());
      const whole = size === this.held.length;
      const piece = whole ? this.held : this.held.subarray(0, size);
      this.held = whole ? null : this.held.subarray(size);
      this.window.consume(size);
      this.sendChunk(piece);
    }
    if (this.held) {
      this.source.pause();
    } else {
      if (this.source.isPaused()) this.source.resume();
      this.maybeFinish();
    }
  }

  /** Drops held bytes and stops sending (connection gone). */
  discard(): void {
    this.dropped = true;
    this.held = null;
    this.source.resume();
    this.maybeFinish();
  }

  private waitForSocket(): void {
    if (this.waitingForSocket) return;
    this.waitingForSocket = true;
    this.outbound.whenWritable(() => {
      this.waitingForSocket = false;
      this.flush();
    });
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
