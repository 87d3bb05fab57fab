import { decodeInt32, INT32_BYTES } from '../classic-format.js';

/**
 * Reads the part of a classic reply that announces the body size: a binary
 * int32, a JSON header, or ASCII digits, depending on the format. One
 * implementation per format; {@link FramedReplyReader} drives them.
 */
export interface SizePrefixReader {
  /** Takes bytes of `chunk` from `offset`; returns the offset after the last byte it took. */
  read(chunk: Buffer, offset: number): number;
  /** One socket read ended (only the ack format needs this: its size is the digits of one read). */
  endOfRead(): void;
  /** The announced body size once the prefix is complete; null before. */
  readonly size: number | null;
  /** Bytes taken toward the prefix so far, for "closed in the middle of the header" errors. */
  readonly taken: number;
  /** Forget everything and wait for the next reply's prefix. */
  reset(): void;
}

/** A 4-byte little-endian signed int32 that may arrive split across chunks. */
export class Int32Field {
  readonly #bytes = Buffer.alloc(INT32_BYTES);
  #filled = 0;

  get taken(): number {
    return this.#filled;
  }

  /** The value once all four bytes arrived; null before. */
  get value(): number | null {
    return this.#filled === INT32_BYTES ? decodeInt32(this.#bytes) : null;
  }

  read(chunk: Buffer, offset: number): number {
    const n = Math.min(INT32_BYTES - this.#filled, chunk.length - offset);
    chunk.copy(this.#bytes, this.#filled, offset, offset + n);
    this.#filled += n;
    return offset + n;
  }

  reset(): void {
    this.#filled = 0;
  }
}
