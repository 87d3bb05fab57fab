/**
 * Two connected in-memory Duplex streams, like a socket pair (after ws's
 * test/duplex-pair.js), with real backpressure: bytes written to one end are
 * readable from the other, and a write completes only once the other end's
 * reader has room (so a reader that stops reading fills the writer's buffer,
 * its write() returns false and 'drain' comes only after the reader read).
 */
import { Duplex } from 'node:stream';

export interface DuplexPairOptions {
  /** Writable high-water mark of each end (default 16 KiB, as a socket's). */
  readonly writableHighWaterMark?: number;
  /** Bytes one end holds unread before its writer must wait (default 16 KiB). */
  readonly readableHighWaterMark?: number;
}

class PairEnd extends Duplex {
  peer: PairEnd | null = null;
  /** A write of ours waiting until the peer's reader wants more. */
  private blockedWrite: (() => void) | null = null;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const peer = this.peer as PairEnd;
    if (peer.push(chunk)) callback();
    else this.blockedWrite = () => callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    (this.peer as PairEnd).push(null);
    callback();
  }

  /** Our reader wants more: let the peer's parked write complete. */
  override _read(): void {
    const peer = this.peer as PairEnd;
    const resume = peer.blockedWrite;
    peer.blockedWrite = null;
    resume?.();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer as PairEnd;
    if (!peer.destroyed) process.nextTick(() => peer.destroy());
    callback(error);
  }
}

export function duplexPair(options: DuplexPairOptions = {}): [Duplex, Duplex] {
  const settings = {
    writableHighWaterMark: options.writableHighWaterMark ?? 16 * 1024,
    readableHighWaterMark: options.readableHighWaterMark ?? 16 * 1024,
  };
  const a = new PairEnd(settings);
  const b = new PairEnd(settings);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
