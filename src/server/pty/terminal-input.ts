import { writeSync } from 'node:fs';
import { Writable } from 'node:stream';

/** Pause before retrying a write the terminal refused (EAGAIN: its input queue is full). */
const RETRY_MS = 10;

/**
 * Writes client keystrokes to the terminal's master side. node-pty's own write() queues without limit
 * and reports nothing, so a program that stops reading its terminal would grow our memory; here the
 * callback of each write fires only once the kernel took every byte, and the exec channel returns stdin
 * window credit from that callback (PROTOCOL.md §5). end() does not close the terminal: a terminal has no
 * half-close (PROTOCOL.md §11.3, stdin `eof` is ignored).
 */
export class TerminalInput extends Writable {
  private readonly fd: number;
  private hungUp = false;

  constructor(fd: number) {
    super({ highWaterMark: 64 * 1024 });
    this.fd = fd;
  }

  /** The terminal is gone: drop what is queued. */
  hangUp(): void {
    this.hungUp = true;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeFrom(chunk, 0, callback);
  }

  override _final(callback: () => void): void {
    callback();
  }

  /**
   * Writes synchronously: the master is non-blocking (libuv set it so when node-pty started reading it),
   * so a write never waits, and a keystroke skips the thread-pool round trip that fs.write() costs on
   * each echo. EAGAIN (the terminal's input queue is full) retries after a pause.
   */
  private writeFrom(chunk: Buffer, offset: number, callback: (error?: Error | null) => void): void {
    let at = offset;
    while (!this.hungUp && at < chunk.length) {
      try {
        at += writeSync(this.fd, chunk, at, chunk.length - at);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          setTimeout(() => this.writeFrom(chunk, at, callback), RETRY_MS).unref();
          return;
        }
        // EIO/EBADF: the terminal was hung up. Input for a finished session is dropped, as a pipe's EPIPE.
        this.hungUp = true;
      }
    }
    callback();
  }
}
