import { ClassicReplyError, previewBytes } from './classic-reply-error.js';
import { Int32Field, type SizePrefixReader } from './size-prefix.js';

/**
 * Largest JSON header accepted. Real headers are about 40 bytes; the cap keeps
 * a hostile length from making the client buffer much before it can tell.
 */
export const MAX_REPLY_HEADER_BYTES = 65_536;

/**
 * `json` format (docs/CLASSIC.md): int32 L, then L bytes of JSON
 * `{"total_size": N, "data_size": N}`. The header buffer is allocated only
 * after L has been checked against {@link MAX_REPLY_HEADER_BYTES}.
 */
export class JsonHeaderReader implements SizePrefixReader {
  readonly #length = new Int32Field();
  #header: Buffer | null = null;
  #filled = 0;
  #size: number | null = null;

  get size(): number | null {
    return this.#size;
  }

  get taken(): number {
    return this.#length.taken + this.#filled;
  }

  read(chunk: Buffer, offset: number): number {
    let at = offset;
    if (this.#header === null) {
      at = this.#length.read(chunk, at);
      const length = this.#length.value;
      if (length === null) return at;
      if (length <= 0) {
        throw new ClassicReplyError(
          'CLASSIC_BAD_REPLY',
          `the server announced a reply header of ${length} bytes; is --format right?`,
        );
      }
      if (length > MAX_REPLY_HEADER_BYTES) {
        throw new ClassicReplyError(
          'CLASSIC_REPLY_TOO_LARGE',
          `the server announced a reply header of ${length} bytes, beyond the limit of ${MAX_REPLY_HEADER_BYTES}; is --format right?`,
        );
      }
      this.#header = Buffer.allocUnsafe(length);
    }
    const n = Math.min(this.#header.length - this.#filled, chunk.length - at);
    chunk.copy(this.#header, this.#filled, at, at + n);
    this.#filled += n;
    if (this.#filled === this.#header.length) this.#size = parseHeader(this.#header);
    return at + n;
  }

  endOfRead(): void {}

  reset(): void {
    this.#length.reset();
    this.#header = null;
    this.#filled = 0;
    this.#size = null;
  }
}

/**
 * Classic clients read `total_size`; some variants send only `data_size`.
 * Both present and different is ambiguous, so it is refused.
 */
function parseHeader(bytes: Buffer): number {
  let header: unknown;
  try {
    header = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ClassicReplyError('CLASSIC_BAD_REPLY', `the reply header is not JSON: ${previewBytes(bytes)}`, {
      cause: err,
    });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new ClassicReplyError('CLASSIC_BAD_REPLY', `the reply header is not a JSON object: ${previewBytes(bytes)}`);
  }
  const fields = header as Record<string, unknown>;
  const total = fields['total_size'];
  const data = fields['data_size'];
  if (total === undefined && data === undefined) {
    throw new ClassicReplyError(
      'CLASSIC_BAD_REPLY',
      `the reply header has neither total_size nor data_size: ${previewBytes(bytes)}`,
    );
  }
  const size = checkSize(total ?? data, bytes);
  if (total !== undefined && data !== undefined && checkSize(data, bytes) !== size) {
    throw new ClassicReplyError(
      'CLASSIC_BAD_REPLY',
      `the reply header's total_size (${size}) and data_size (${String(data)}) differ`,
    );
  }
  return size;
}

function checkSize(value: unknown, bytes: Buffer): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ClassicReplyError(
      'CLASSIC_BAD_REPLY',
      `the reply header's size is not a non-negative integer: ${previewBytes(bytes)}`,
    );
  }
  return value;
}
