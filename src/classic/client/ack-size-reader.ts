import { ClassicReplyError, previewBytes } from './classic-reply-error.js';
import type { SizePrefixReader } from './size-prefix.js';

/** 2^31-1 has 10 digits; more can only be hostile or another format. */
const MAX_ACK_DIGITS = 10;

const isDigit = (byte: number): boolean => byte >= 0x30 && byte <= 0x39;
const isSpace = (byte: number): boolean => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;

/**
 * `ack` format (docs/CLASSIC.md): the server sends N as ASCII decimal digits
 * and then waits for `recv_ready`. Nothing marks the end of the digits, so,
 * exactly like a classic client's single `recv()`, the size is the digits of
 * one socket read. Surrounding whitespace is tolerated; anything else in that
 * read is a bad reply (the body cannot come before `recv_ready`).
 */
export class AckSizeReader implements SizePrefixReader {
  #digits = '';
  #closed = false;
  #size: number | null = null;

  get size(): number | null {
    return this.#size;
  }

  get taken(): number {
    return this.#digits.length;
  }

  read(chunk: Buffer, offset: number): number {
    for (let at = offset; at < chunk.length; at += 1) {
      const byte = chunk[at] as number;
      if (isDigit(byte) && !this.#closed) {
        this.#digits += String.fromCharCode(byte);
        if (this.#digits.length > MAX_ACK_DIGITS) {
          throw new ClassicReplyError(
            'CLASSIC_REPLY_TOO_LARGE',
            `the server announced a reply size of more than ${MAX_ACK_DIGITS} digits; is --format right?`,
          );
        }
      } else if (isSpace(byte)) {
        if (this.#digits.length > 0) this.#closed = true;
      } else {
        throw new ClassicReplyError(
          'CLASSIC_BAD_REPLY',
          `the server's ack size is not decimal digits: ${previewBytes(chunk.subarray(offset))}; is --format right?`,
        );
      }
    }
    return chunk.length;
  }

  endOfRead(): void {
    if (this.#size === null && this.#digits.length > 0) this.#size = Number(this.#digits);
  }

  reset(): void {
    this.#digits = '';
    this.#closed = false;
    this.#size = null;
  }
}
