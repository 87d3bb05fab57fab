import type { ClassicFormat } from '../classic-format.js';
import { AckSizeReader } from './ack-size-reader.js';
import { ClassicReplyError } from './classic-reply-error.js';
import { JsonHeaderReader } from './json-header-reader.js';
import { LengthPrefixReader } from './length-prefix-reader.js';
import type { SizePrefixReader } from './size-prefix.js';

import { DEFAULT_MAX_REPLY_BYTES } from '../classic-format.js';

export { DEFAULT_MAX_REPLY_BYTES };

/**
 * Bytes a server may send beyond the reply being read before the reader gives
 * up. The connection pauses the socket after each reply, so only the rest of
 * one chunk should ever be held; more means the server talks unasked.
 */
const MAX_HELD_BYTES = 1024 * 1024;

/** What the reader found, in order. `size` comes once per reply (ack: now send `recv_ready`). */
export type ReplyEvent =
  | { readonly type: 'size'; readonly size: number }
  | { readonly type: 'body'; readonly chunk: Buffer }
  | { readonly type: 'end' };

/** The formats that announce their size; `raw` has no framing and is read by idle time instead. */
export type FramedFormat = Exclude<ClassicFormat, 'raw'>;

const State = { BETWEEN: 0, PREFIX: 1, BODY: 2, FAILED: 3 } as const;
type State = (typeof State)[keyof typeof State];

/**
 * Incremental, pure reader of framed classic replies, one reply at a time.
 * It checks the announced size against the cap before taking any body byte,
 * passes the body on as slices of the input (never allocating the announced
 * size), and stops exactly at the reply's last byte: bytes after it are held
 * until {@link next} starts the next reply, so replies never mix. An error
 * leaves the reader failed; every later call throws it again.
 */
export class FramedReplyReader {
  readonly #prefix: SizePrefixReader;
  readonly #maxReplyBytes: number;
  #state: State = State.BETWEEN;
  #remaining = 0;
  #size = 0;
  #held: Buffer[] = [];
  #heldBytes = 0;
  #failure: Error | null = null;

  constructor(prefix: SizePrefixReader, maxReplyBytes: number) {
    this.#prefix = prefix;
    this.#maxReplyBytes = maxReplyBytes;
  }

  /** True while a reply is partly read: an end of input now would cut it. */
  get midReply(): boolean {
    return this.#state === State.BODY || (this.#state === State.PREFIX && this.#prefix.taken > 0);
  }

  /** Starts reading the next reply, first from bytes held since the last one. */
  next(): ReplyEvent[] {
    this.#throwIfFailed();
    if (this.#state !== State.BETWEEN) throw new Error('FramedReplyReader.next() called in the middle of a reply');
    this.#state = State.PREFIX;
    this.#prefix.reset();
    const held = this.#held;
    this.#held = [];
    this.#heldBytes = 0;
    const events: ReplyEvent[] = [];
    // Each held chunk was one socket read, which matters to the ack format.
    for (const chunk of held) events.push(...this.push(chunk), ...this.endOfRead());
    return events;
  }

  /** Feeds one chunk of input. */
  push(chunk: Buffer): ReplyEvent[] {
    this.#throwIfFailed();
    return this.#guard(() => this.#consume(chunk));
  }

  /** Marks the end of one socket read. */
  endOfRead(): ReplyEvent[] {
    this.#throwIfFailed();
    if (this.#state !== State.PREFIX) return [];
    return this.#guard(() => {
      this.#prefix.endOfRead();
      const events: ReplyEvent[] = [];
      if (this.#prefix.size !== null) this.#startBody(this.#prefix.size, events);
      return events;
    });
  }

  /** The input ended. Throws `CLASSIC_REPLY_CUT` if that cut a reply; a clean end between replies is the caller's to judge. */
  end(): void {
    this.#throwIfFailed();
    if (this.#state === State.BODY) {
      this.#fail(
        new ClassicReplyError(
          'CLASSIC_REPLY_CUT',
          `the server closed the connection after ${this.#size - this.#remaining} of the ${this.#size} bytes it announced`,
        ),
      );
    }
    if (this.#state === State.PREFIX && this.#prefix.taken > 0) {
      this.#fail(
        new ClassicReplyError(
          'CLASSIC_REPLY_CUT',
          `the server closed the connection in the middle of a reply header (${this.#prefix.taken} bytes)`,
        ),
      );
    }
  }

  #consume(chunk: Buffer): ReplyEvent[] {
    const events: ReplyEvent[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#state === State.PREFIX) {
        offset = this.#prefix.read(chunk, offset);
        if (this.#prefix.size !== null) this.#startBody(this.#prefix.size, events);
      } else if (this.#state === State.BODY) {
        const n = Math.min(this.#remaining, chunk.length - offset);
        events.push({ type: 'body', chunk: chunk.subarray(offset, offset + n) });
        offset += n;
        this.#remaining -= n;
        if (this.#remaining === 0) this.#finishReply(events);
      } else {
        this.#hold(offset === 0 ? chunk : chunk.subarray(offset));
        break;
      }
    }
    return events;
  }

  #startBody(size: number, events: ReplyEvent[]): void {
    // Checked before any body byte is taken: the announced size is never allocated, but it is never trusted either.
    if (size > this.#maxReplyBytes) {
      throw new ClassicReplyError(
        'CLASSIC_REPLY_TOO_LARGE',
        `the server announced a reply of ${size} bytes, beyond --max-reply ${this.#maxReplyBytes}`,
      );
    }
    this.#size = size;
    this.#remaining = size;
    this.#state = State.BODY;
    events.push({ type: 'size', size });
    if (size === 0) this.#finishReply(events);
  }

  #finishReply(events: ReplyEvent[]): void {
    this.#state = State.BETWEEN;
    events.push({ type: 'end' });
  }

  #hold(bytes: Buffer): void {
    this.#heldBytes += bytes.length;
    if (this.#heldBytes > MAX_HELD_BYTES) {
      throw new ClassicReplyError(
        'CLASSIC_BAD_REPLY',
        `the server sent more than ${MAX_HELD_BYTES} bytes that no request asked for`,
      );
    }
    this.#held.push(bytes);
  }

  #guard(step: () => ReplyEvent[]): ReplyEvent[] {
    try {
      return step();
    } catch (err) {
      return this.#fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  #fail(err: Error): never {
    this.#state = State.FAILED;
    this.#failure = err;
    throw err;
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure;
  }
}

/** A reader for one of the framed formats, with the body capped at `maxReplyBytes`. */
export function createReplyReader(
  format: FramedFormat,
  maxReplyBytes: number = DEFAULT_MAX_REPLY_BYTES,
): FramedReplyReader {
  const prefix =
    format === 'json' ? new JsonHeaderReader() : format === 'length' ? new LengthPrefixReader() : new AckSizeReader();
  return new FramedReplyReader(prefix, maxReplyBytes);
}
