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
export class FrameDecoder {
  private readonly limits: FrameLimits;
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private state: State = State.LENGTH;
  private headerBytes = 0;
  private header: FrameHeader | null = null;
  private bodyBytes = 0;
  private failure: FrameshError | null = null;

  constructor(limits: FrameLimits) {
    this.limits = limits;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffered;
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
    } catch (err) {
      // Only our own errors are thrown inside drain(); anything else is a bug we still contain.
      this.fail(err instanceof FrameshError ? err : new ProtocolError('decoder failure', { cause: err }));
    }
    return { frames, error: this.failure };
  }

  /** Call when the input ends: an error if it ended inside a frame. */
  end(): FrameshError | null {
    if (this.failure) return this.failure;
    if (this.buffered > 0 || this.state !== State.LENGTH) {
      this.fail(new UnexpectedEofError(this.buffered));
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
          if (this.buffered < this.bodyBytes) return;
          const body = this.bodyBytes === 0 ? EMPTY : this.take(this.bodyBytes);
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
