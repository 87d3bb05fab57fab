import { ClassicReplyError } from './classic-reply-error.js';
import { Int32Field, type SizePrefixReader } from './size-prefix.js';

/** `length` format (docs/CLASSIC.md): the reply starts with int32 N, the body size. */
export class LengthPrefixReader implements SizePrefixReader {
  readonly #field = new Int32Field();

  get size(): number | null {
    return this.#field.value;
  }

  get taken(): number {
    return this.#field.taken;
  }

  read(chunk: Buffer, offset: number): number {
    const next = this.#field.read(chunk, offset);
    const size = this.#field.value;
    if (size !== null && size < 0) {
      throw new ClassicReplyError(
        'CLASSIC_BAD_REPLY',
        `the server announced a negative reply size (${size}); is --format right?`,
      );
    }
    return next;
  }

  endOfRead(): void {}

  reset(): void {
    this.#field.reset();
  }
}
