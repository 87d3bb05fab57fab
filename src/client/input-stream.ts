import { Writable } from 'node:stream';
import type { SendWindow } from '../protocol/flow-control.js';

export interface InputSink {
  readonly window: SendWindow;
  maxChunkBytes(): number;
  /** False once the channel can no longer take input; writes are then dropped. */
  isOpen(): boolean;
  /** Sends one data frame; false once the socket is full (then wait for whenWritable). */
  sendData(chunk: Buffer): boolean;
  sendEof(): void;
  /** The connection's outbound state: false while its socket buffer is full. */
  readonly writable: boolean;
  whenWritable(wake: () => void): void;
}

/**
 * A channel's stdin as a Writable. A write completes only when the server's
 * window has room for it and the socket took it, so a fast writer is paused
 * by the remote reader and by the network alike.
 */
export class InputStream extends Writable {
  private readonly sink: InputSink;
  private waiting: { chunk: Buffer; callback: (error?: Error | null) => void } | null = null;
  private opened = false;
  private waitingForSocket = false;

  constructor(sink: InputSink) {
    super();
    this.sink = sink;
  }

  /** The channel is open: writes may start flowing. */
  markOpen(): void {
    this.opened = true;
    this.pump();
  }

  /** The window grew, the socket drained, or the channel ended: continue a parked write. */
  pump(): void {
    const parked = this.waiting;
    if (!parked) return;
    this.waiting = null;
    this.writeWithinWindow(parked.chunk, parked.callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeWithinWindow(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.sink.isOpen()) this.sink.sendEof();
    callback();
  }

  private writeWithinWindow(chunk: Buffer, callback: (error?: Error | null) => void): void {
    // After exit the command reads nothing more; drop input as a closed pipe would, without an 'error' to crash on.
    if (this.opened && !this.sink.isOpen()) return callback();
    let rest = chunk;
    let socketFull = false;
    while (this.opened && rest.length > 0 && this.sink.window.available > 0) {
      if (!this.sink.writable) {
        socketFull = true;
        break;
      }
      const size = Math.min(rest.length, this.sink.window.available, this.sink.maxChunkBytes());
      this.sink.window.consume(size);
      this.sink.sendData(rest.subarray(0, size));
      rest = rest.subarray(size);
    }
    // The socket took the last piece but is now full: finish this write, yet hold the next until it drains.
    if (rest.length === 0 && !socketFull && (this.sink.writable || !this.opened)) return callback();
    this.waiting = { chunk: rest, callback };
    if (socketFull || !this.sink.writable) this.waitForSocket();
  }

  private waitForSocket(): void {
    if (this.waitingForSocket) return;
    this.waitingForSocket = true;
    this.sink.whenWritable(() => {
      this.waitingForSocket = false;
      this.pump();
    });
  }
}
