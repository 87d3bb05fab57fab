import { Readable } from 'node:stream';

/**
 * A channel's stdout or stderr as a Readable. Bytes count as consumed (and
 * their window credit goes back to the server) only once the reader has taken
 * them: while push() reports a full buffer, credit is held until _read().
 */
export class OutputStream extends Readable {
  private held = 0;
  private finished = false;
  private readonly onConsumed: (bytes: number) => void;

  constructor(onConsumed: (bytes: number) => void) {
    super();
    this.onConsumed = onConsumed;
  }

  /** Delivers bytes from a data frame. */
  deliver(chunk: Buffer): void {
    // A broken server may send data after this stream's eof; push() after EOF would emit an unhandled 'error'.
    if (this.finished || this.destroyed) return;
    if (this.push(chunk)) this.onConsumed(chunk.length);
    else this.held += chunk.length;
  }

  /** No more data (eof, exit or connection loss). Never errors: the exit promise carries failures. */
  finish(): void {
    if (this.finished || this.destroyed) return;
    this.finished = true;
    this.push(null);
  }

  override _read(): void {
    if (this.held === 0) return;
    const bytes = this.held;
    this.held = 0;
    this.onConsumed(bytes);
  }
}
