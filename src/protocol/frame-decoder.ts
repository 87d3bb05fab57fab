import { isUtf8 } from 'node:buffer';
import { LENGTH_PREFIX_BYTES } from './constants.js';
import { FrameshError, LimitError, ProtocolError, UnexpectedEofError } from '../errors.js';
import type { Frame, FrameHeader, FrameLimits } from './frame.js';

/** Read states of the decoder; `as const` instead of an enum (STYLE.md). */
const State = { LENGTH: 0, HEADER: 1, BODY: 2, FAILED: 3 } as const;
type State = (typeof State)[keyof typeof State];

export interface DecodeResult {
  /** Frames completed by this chunk, in order. */
  readonly frames: Frame[];
  /** Set once the input broke the protocol; every later call returns it again. */
  readonly error: FrameshError | null;
}

/**
 * Incremental, pure frame decoder (PROTOCOL.md §1). It accepts any chunking,
 * checks each limit the moment the announcing field is read, before buffering
 * what it announces, and never throws: a fatal error is returned in the result
 * and the decoder stays failed.
 */
export interface FrameDecoderOptions {
  /**
   * The chunks given to decode() are only lent: their bytes are overwritten after the call returns (a
   * socket reading into one reused buffer, Node's `onread`). Every byte kept is then copied: bodies into
   * buffers of their own, the tail of an unfinished prefix or header into a small one.
   */
  readonly transientChunks?: boolean;
}

export class FrameDecoder {
  private readonly limits: FrameLimits;
  private readonly transient: boolean;
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private state: State = State.LENGTH;
  private headerBytes = 0;
  private header: FrameHeader | null = null;
  private bodyBytes = 0;
  /** The body being gathered when it spans chunks (or chunks are lent), and how much of it is filled. */
  private body: Buffer | null = null;
  private bodyFilled = 0;
  private failure: FrameshError | null = null;

  constructor(limits: FrameLimits, options: FrameDecoderOptions = {}) {
    this.limits = limits;
    this.transient = options.transientChunks === true;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffered + this.bodyFilled;
  }

  decode(chunk: Buffer): DecodeResult {
    if (this.failure) return { frames: [], error: this.failure };
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Frame[] = [];
    try {
      this.drain(frames);
      // Whatever is still held of a lent chunk is a few bytes of a prefix or header (bodies were copied).
      if (this.transient && this.buffered > 0) this.keepCopies();
    } catch (err) {
      // Only our own errors are thrown inside drain(); anything else is a bug we still contain.
      this.fail(err instanceof FrameshError ? err : new ProtocolError('decoder failure', { cause: err }));
    }
    return { frames, error: this.failure };
  }

  /** Call when the input ends: an error if it ended inside a frame. */
  end(): FrameshError | null {
    if (this.failure) return this.failure;
    if (this.bufferedBytes > 0 || this.state !== State.LENGTH) {
      this.fail(new UnexpectedEofError(this.bufferedBytes));
    }
    return this.failure;
  }

  private drain(frames: Frame[]): void {
    for (;;) {
      switch (this.state) {
        case State.LENGTH: {
          if (this.buffered < LENGTH_PREFIX_BYTES) return;
          const length = this.take(LENGTH_PREFIX_BYTES).readUInt32BE(0);
          if (length === 0) throw new ProtocolError('frame header length is 0; a header is a non-empty JSON object');
          if (length > this.limits.maxHeaderBytes) {
            throw new LimitError(`frame header of ${length} bytes exceeds the limit of ${this.limits.maxHeaderBytes}`);
          }
          this.headerBytes = length;
          this.state = State.HEADER;
          break;
        }
        case State.HEADER: {
          if (this.buffered < this.headerBytes) return;
          this.header = parseHeader(this.take(this.headerBytes), this.limits);
          this.bodyBytes = this.header.len ?? 0;
          this.state = State.BODY;
          break;
        }
        case State.BODY: {
          const body = this.takeBody();
          if (!body) return;
          frames.push({ header: this.header as FrameHeader, body });
          this.header = null;
          this.state = State.LENGTH;
          break;
        }
        case State.FAILED:
          return;
      }
    }
  }

  /**
   * The body, once all of it has arrived; null until then. Owned chunks are held until the body is
   * complete, then sliced (no copy) or, when it spans chunks, joined once: memory follows what arrived.
   * Lent chunks cannot be held, so the body is copied into its own buffer as they come, each byte once;
   * that buffer is allocated at the body's first byte, at most maxBodyBytes (checked with the header).
   */
  private takeBody(): Buffer | null {
    const size = this.bodyBytes;
    if (size === 0) return EMPTY;
    if (!this.transient) return this.buffered < size ? null : this.take(size);
    if (!this.body) {
      if (this.buffered === 0) return null;
      this.body = Buffer.allocUnsafe(size);
      this.bodyFilled = 0;
    }
    while (this.bodyFilled < size && this.chunks.length > 0) {
      const chunk = this.chunks[0] as Buffer;
      const wanted = size - this.bodyFilled;
      const n = Math.min(wanted, chunk.length);
      chunk.copy(this.body, this.bodyFilled, 0, n);
      this.bodyFilled += n;
      this.buffered -= n;
      if (n === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(n);
    }
    if (this.bodyFilled < size) return null;
    const body = this.body;
    this.body = null;
    this.bodyFilled = 0;
    return body;
  }

  /** Replaces the lent chunks still held by one copy of their bytes. */
  private keepCopies(): void {
    const kept = Buffer.allocUnsafe(this.buffered);
    let at = 0;
    for (const chunk of this.chunks) at += chunk.copy(kept, at);
    this.chunks.length = 0;
    this.chunks.push(kept);
  }

  /** Removes n bytes from the front; copies only when they span chunks. */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0] as Buffer;
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0] as Buffer;
      const wanted = n - filled;
      if (chunk.length <= wanted) {
        chunk.copy(out, filled);
        filled += chunk.length;
        this.chunks.shift();
      } else {
        chunk.copy(out, filled, 0, wanted);
        this.chunks[0] = chunk.subarray(wanted);
        filled += wanted;
      }
    }
    return out;
  }

  private fail(error: FrameshError): void {
    this.failure = error;
    this.state = State.FAILED;
    this.chunks.length = 0;
    this.buffered = 0;
    this.body = null;
    this.bodyFilled = 0;
  }
}

const EMPTY = Buffer.alloc(0);

function parseHeader(bytes: Buffer, limits: FrameLimits): FrameHeader {
  // PROTOCOL.md §1: the header is UTF-8. toString() would turn bad bytes into U+FFFD and silently
  // change what the peer sent (an argv, a path), so invalid UTF-8 is refused.
  if (!isUtf8(bytes)) throw new ProtocolError('frame header is not valid UTF-8');
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ProtocolError('frame header is not valid JSON', { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('frame header must be a JSON object');
  }
  const header = value as Record<string, unknown>;
  if (typeof header.type !== 'string' || header.type.length === 0) {
    throw new ProtocolError('frame header has no string "type"');
  }
  const len = header.len;
  if (len !== undefined) {
    if (typeof len !== 'number' || !Number.isSafeInteger(len) || len < 0) {
      throw new ProtocolError('frame header "len" must be a non-negative integer');
    }
    // PROTOCOL.md §3: refuse before allocating or buffering the announced body.
    if (len > limits.maxBodyBytes) {
      throw new LimitError(`frame body of ${len} bytes exceeds the limit of ${limits.maxBodyBytes}`);
    }
  }
  return header as FrameHeader;
}
