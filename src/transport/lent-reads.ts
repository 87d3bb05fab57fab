import type { Duplex } from 'node:stream';

/**
 * Size of the one buffer a client socket reads into. A TLS read is at most one record (16 KiB);
 * a TCP read takes what the kernel holds, up to this.
 */
const READ_BUFFER_BYTES = 64 * 1024;
/** Reads kept before a consumer attaches, beyond which the socket stops reading until it does. */
const EARLY_LIMIT_BYTES = 256 * 1024;

/**
 * Reads a client socket into one reused buffer (Node's `onread` option of net.connect and
 * tls.connect) instead of a fresh allocation per read, and lends each read to one consumer.
 *
 * Why: at hundreds of MB/s a fresh buffer per read (16 KiB per TLS record) is gigabytes of
 * short-lived ArrayBuffers, and V8 answered that external memory with dozens of full collections
 * per GiB received. The consumer (FramedConnection's decoder in lent-chunk mode) copies what it keeps,
 * which is only frame bodies, each into a buffer of its own size: one copy per byte, as before.
 *
 * Reads that arrive before a consumer attaches (between the handshake and the connection's set-up,
 * which may wait on a person answering the host-key prompt) are copied and handed over when it does;
 * past EARLY_LIMIT_BYTES the socket stops reading, as a Readable with no reader would.
 */
export class LentReads {
  readonly onread: { buffer: Buffer; callback: (bytes: number, buffer: Buffer) => boolean };
  private consumer: ((chunk: Buffer) => void) | null = null;
  private early: Buffer[] = [];
  private earlyBytes = 0;
  /** The socket stopped reading because early reads reached the limit. */
  private stalled = false;
  private stream: Duplex | null = null;

  constructor() {
    this.onread = {
      buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
      callback: (bytes, buffer) => this.deliver(buffer.subarray(0, bytes)),
    };
  }

  /** From now on every read goes to `consumer`, valid only during the call. */
  attach(consumer: (chunk: Buffer) => void): void {
    this.consumer = consumer;
    const early = this.early;
    this.early = [];
    this.earlyBytes = 0;
    for (const chunk of early) consumer(chunk);
    if (this.stalled) {
      this.stalled = false;
      this.stream?.resume();
    }
  }

  /** The socket these reads come from, so an attach can restart a stalled socket. */
  bind(stream: Duplex): void {
    this.stream = stream;
  }

  /** False stops the socket reading (Node's `onread` contract). */
  private deliver(chunk: Buffer): boolean {
    if (this.consumer) {
      this.consumer(chunk);
      return true;
    }
    this.early.push(Buffer.from(chunk));
    this.earlyBytes += chunk.length;
    if (this.earlyBytes < EARLY_LIMIT_BYTES) return true;
    this.stalled = true;
    return false;
  }
}

/**
 * Where a stream's LentReads is kept: a registered symbol, not a module-local WeakMap, so a second
 * instance of this module (the same file loaded as CommonJS and as ESM) still finds it; a stream read
 * through `onread` emits no 'data', and a connection that missed it would wait forever.
 */
const LENT_READS = Symbol.for('framesh.lentReads');

type WithLentReads = Duplex & { [LENT_READS]?: LentReadsLike };

/** What FramedConnection needs of a LentReads (structural, so another module instance's class fits). */
export interface LentReadsLike {
  attach(consumer: (chunk: Buffer) => void): void;
}

/** Marks `stream` as read through `reads`: it emits no 'data', its reads go to whoever attaches. */
export function registerLentReads(stream: Duplex, reads: LentReads): void {
  reads.bind(stream);
  (stream as WithLentReads)[LENT_READS] = reads;
}

/** The lent reads of a stream made by registerLentReads, or undefined for an ordinary stream. */
export function lentReads(stream: Duplex): LentReadsLike | undefined {
  return (stream as WithLentReads)[LENT_READS];
}
