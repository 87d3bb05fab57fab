import { Readable } from 'node:stream';

/** PROTOCOL.md §11.3: output read ahead of the window, so bytes written just before the exit survive. */
export const TERMINAL_READ_AHEAD_BYTES = 1024 * 1024;

/** The part of node-pty's IPty this stream drives. */
export interface PtyOutputSource {
  onData(listener: (data: Buffer | string) => void): { dispose(): void };
  pause(): void;
  resume(): void;
}

/**
 * A terminal's output as a Readable, so the exec OutputPump moves it like a pipe. node-pty emits data
 * events with no backpressure; this stops reading the terminal when the stream's buffer is full (the
 * pump paused it: window or socket full) and reads again when the pump asks. The buffer (1 MiB) is the
 * read-ahead of PROTOCOL.md §11.3: the server reads the terminal to its end after the leader's exit only
 * while reading is not paused, node-pty stops reading 200 ms after that exit, and output still in the
 * kernel then would be lost while the pump waits for credit.
 */
export class TerminalOutput extends Readable {
  private readonly pty: PtyOutputSource;
  private paused = false;
  /** Extra reasons to hold off reading (a session recording that cannot keep up). */
  private holds = 0;
  private waitingForReading: (() => void)[] = [];

  constructor(pty: PtyOutputSource) {
    super({ highWaterMark: TERMINAL_READ_AHEAD_BYTES });
    this.pty = pty;
    pty.onData((data) => this.fromTerminal(typeof data === 'string' ? Buffer.from(data, 'utf8') : data));
  }

  /** Output the server read from the terminal itself (terminal-process.ts, after the leader's exit). */
  fromTerminal(chunk: Buffer): void {
    if (!this.push(chunk)) this.pausePty();
  }

  /**
   * Calls `fn` once the terminal is being read and node-pty has handed over what it buffered: now, or
   * after reading resumes. node-pty emits what it buffered while paused a tick after resume(), so the
   * check waits a loop round; bytes read then by `fn` come after every byte node-pty read before.
   */
  whenReading(fn: () => void): void {
    if (!this.paused) {
      fn();
      return;
    }
    this.waitingForReading.push(fn);
  }

  /** The terminal's process is gone and node-pty has read the last byte. */
  finish(): void {
    this.push(null);
  }

  /** Stop reading the terminal until release() (one release per hold). */
  hold(): void {
    this.holds += 1;
    this.pausePty();
  }

  release(): void {
    this.holds = Math.max(0, this.holds - 1);
    if (this.holds === 0 && this.readableLength < this.readableHighWaterMark) this.resumePty();
  }

  override _read(): void {
    if (this.holds === 0) this.resumePty();
  }

  private pausePty(): void {
    if (this.paused) return;
    this.paused = true;
    this.pty.pause();
  }

  private resumePty(): void {
    if (!this.paused) return;
    this.paused = false;
    this.pty.resume();
    if (this.waitingForReading.length > 0) setImmediate(() => this.runWaitingForReading());
  }

  private runWaitingForReading(): void {
    if (this.paused) return; // paused again; the next resume runs them
    const waiting = this.waitingForReading;
    this.waitingForReading = [];
    for (const fn of waiting) fn();
  }
}
