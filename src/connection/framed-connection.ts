import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { DEFAULT_LIMITS } from '../protocol/constants.js';
import { encodeDataHead, encodeFrame } from '../protocol/frame-encoder.js';
import { FrameDecoder } from '../protocol/frame-decoder.js';
import { validateMessage } from '../protocol/message-validation.js';
import type { Frame, FrameLimits } from '../protocol/frame.js';
import type { StreamName } from '../protocol/constants.js';
import type { ErrorMessage, Message } from '../protocol/messages.js';
import { ConnectionError, FrameshError, ProtocolError, RemoteError } from '../errors.js';
import { lentReads } from '../transport/lent-reads.js';

/** How long a failed connection waits for the peer to read our error frame before it is destroyed. */
const FAIL_LINGER_MS = 2000;
/**
 * The largest data body framesh puts in one frame, whatever larger size the peer accepts. Data writers
 * check `writable` before each frame, so data alone never queues more than the high-water mark plus one
 * such frame; that ceiling is what inbound reading is paused above (see `readPauseBytes`).
 */
export const MAX_DATA_FRAME_BYTES = 1024 * 1024;
/**
 * Room a sendDataInPlace() body needs before it: a data head is a 4-byte length and
 * `{"type":"data","ch":N,"stream":"stdout","len":N}`, at most 4 + 68 bytes with 10-digit numbers.
 */
export const DATA_HEAD_ROOM_BYTES = 80;
/** What replies (pongs, errors, window updates, answers) may queue above the data ceiling. */
const REPLY_HEADROOM_BYTES = 64 * 1024;
/**
 * Frames up to this size (pongs, window updates, answers, most control frames, short output) are gathered
 * and written as one buffer once the loop has handled this round of I/O (setImmediate), or once
 * BATCH_BYTES have gathered. A write queued in the stream costs a few hundred bytes of bookkeeping
 * whatever its size, so a peer that sends pings and never reads the pongs made the byte-counted ceiling
 * above hold ~35 000 writes (~17 MB) per connection; batched, the same ceiling holds a few dozen.
 */
const SMALL_FRAME_BYTES = 4096;
const BATCH_BYTES = 16 * 1024;

export interface FramedConnectionEvents {
  /** One validated message. A FrameshError thrown by a listener fails the connection with that code. */
  message: [message: Message, body: Buffer];
  /** Emitted once. `error` is null for an orderly close. */
  close: [error: FrameshError | null];
}

/** The outbound side as a data writer sees it: the one place that says "wait" and "go on". */
export interface Outbound {
  /** False while the transport's buffer is over its high-water mark (or the connection is ending). */
  readonly writable: boolean;
  /** Calls `wake` once, after the buffer drained (on the next turn if it is not full now). */
  whenWritable(wake: () => void): void;
}

/**
 * The protocol over any Node Duplex (TCP or TLS): decodes frames, validates
 * messages and writes frames. It never emits 'error'; every failure arrives
 * once, through 'close'.
 *
 * Backpressure lives here, in one place (PROTOCOL.md §5): every send returns
 * whether the transport is still under its high-water mark; writers that must
 * wait register with whenWritable() and are woken by the transport's single
 * 'drain' listener; and while replies pile up unread above the data ceiling,
 * the connection stops reading the peer (a ping flood that never reads its
 * pongs cannot grow us), continuing with the next frame once the peer read.
 */
export class FramedConnection extends EventEmitter<FramedConnectionEvents> implements Outbound {
  readonly stream: Duplex;
  /** What the peer accepts; replaced by the limits in its hello. */
  peerLimits: FrameLimits = DEFAULT_LIMITS;
  private readonly decoder: FrameDecoder;
  /**
   * The transport is a socket (TCP or TLS): only then does a write's callback mean its bytes are gone (to
   * the kernel, or encrypted); a stream of another kind (a web socket bridge, a test pipe) may still
   * hold the buffer after it (sendDataInPlace).
   */
  private readonly onSocket: boolean;
  private closeError: FrameshError | null = null;
  private isClosed = false;
  private failing = false;
  /** Writers waiting for 'drain', woken all at once. */
  private drainWaiters: Array<() => void> = [];
  /** Decoded frames not yet handled because reading paused in the middle of a chunk. */
  private inbound: Frame[] = [];
  private inboundNext = 0;
  private inboundError: FrameshError | null = null;
  private readPaused = false;
  /** Small frames gathered for one write (see SMALL_FRAME_BYTES); nothing is kept between writes. */
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private batchFlushQueued = false;
  /** performance.now() of the last byte received, for keepalive. */
  lastReceivedAt = performance.now();

  constructor(stream: Duplex, limits: FrameLimits = DEFAULT_LIMITS) {
    super();
    this.stream = stream;
    this.onSocket = stream instanceof net.Socket;
    // A client socket reading into one reused buffer lends each read (transport/lent-reads.ts).
    const reads = lentReads(stream);
    this.decoder = new FrameDecoder(limits, { transientChunks: reads !== undefined });
    if (reads) reads.attach((chunk) => this.onData(chunk));
    else stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('end', () => this.onEnd());
    stream.on('error', (err: NodeJS.ErrnoException) => {
      this.closeError ??= toConnectionError(err);
    });
    stream.on('close', () => this.finish());
    stream.on('drain', () => this.onDrain());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Bytes waiting to be sent: the transport's write buffer and the small frames gathered for it. */
  get writableLength(): number {
    return this.stream.writableLength + this.batchBytes;
  }

  /** True while inbound reading is paused because the peer does not read what we send. */
  get readingPaused(): boolean {
    return this.readPaused;
  }

  get writable(): boolean {
    return !this.isClosed && !this.failing && !this.stream.writableEnded && !this.stream.writableNeedDrain;
  }

  /** Largest data body to put in one frame: the peer's limit, capped by MAX_DATA_FRAME_BYTES. */
  get maxDataFrameBytes(): number {
    return Math.min(this.peerLimits.maxBodyBytes, MAX_DATA_FRAME_BYTES);
  }

  whenWritable(wake: () => void): void {
    // An ending connection never becomes writable again; its channels are abandoned on 'close' instead
    // (waking them would only have them ask again, turn after turn).
    if (this.isClosed || this.failing || this.stream.writableEnded) return;
    if (this.stream.writableNeedDrain) this.drainWaiters.push(wake);
    else setImmediate(wake);
  }

  /**
   * Writes one frame, whatever the buffer holds (a reply is never dropped; the
   * inbound pause bounds how many can queue). Returns `writable` afterwards:
   * false asks a data writer to wait for whenWritable().
   */
  send(header: Message, body?: Buffer): boolean {
    if (this.isClosed || this.failing || this.stream.writableEnded) return false;
    const [head, payload] = encodeFrame(header, body);
    this.writeFrame(head, payload);
    return this.writable;
  }

  /** A small frame joins the batch; a larger one is written now, after the batch, head and payload corked. */
  private writeFrame(head: Buffer, payload: Buffer): void {
    if (head.length + payload.length <= SMALL_FRAME_BYTES) {
      this.gather(head, payload);
      return;
    }
    this.flushBatch();
    this.stream.cork();
    this.stream.write(head);
    this.stream.write(payload);
    this.stream.uncork();
  }

  /**
   * Adds a small frame to the batch; written after this round of I/O, or now when the batch is full.
   * The payload is copied at once: a caller may reuse its buffer as soon as this returns (a stream's
   * write callback runs on the next tick, before the batch is written). The head is our own.
   */
  private gather(head: Buffer, payload: Buffer): void {
    const size = head.length + payload.length;
    if (this.batchBytes + size > BATCH_BYTES) this.flushBatch();
    this.batch.push(head);
    if (payload.length > 0) this.batch.push(Buffer.from(payload));
    this.batchBytes += size;
    if (this.batchBytes >= BATCH_BYTES) {
      this.flushBatch();
    } else if (!this.batchFlushQueued) {
      this.batchFlushQueued = true;
      // setImmediate, not a microtask: it runs once the loop has handled this round's I/O callbacks
      // (pipe reads, exits, frames of every channel), so they share one write — a microtask would flush
      // after each callback. The delay is that of the round, not a timer.
      setImmediate(() => {
        this.batchFlushQueued = false;
        this.flushBatch();
      });
    }
  }

  /** Writes the gathered small frames as one buffer, before anything written after them. */
  private flushBatch(): void {
    if (this.batchBytes === 0) return;
    // One buffer of exactly the gathered size: a queued write pins no more than it carries, and an idle
    // connection holds no batch buffer (a persistent 16 KiB one cost 16 MB per 1000 connections).
    const batch = this.batch.length === 1 ? (this.batch[0] as Buffer) : Buffer.concat(this.batch, this.batchBytes);
    this.batch = [];
    this.batchBytes = 0;
    if (!this.stream.writableEnded && !this.stream.destroyed) this.stream.write(batch);
  }

  /**
   * Writes one `data` frame (the hot path: same bytes as send(), fewer allocations). A small one joins
   * the batch, so a turn that finishes many short commands (`echo hi`: output, then exit) writes once.
   *
   * `interactive` is for a terminal's keystrokes and echoes, where a person waits on each frame: a small
   * one is written at once, with whatever was gathered before it, when the transport holds nothing
   * unsent (the batch's wait for the loop round cost ~30 us on each end of a keystroke's round trip).
   * While the transport has bytes queued it joins the batch as any frame does — writing sooner would
   * not send it sooner, only queue one write per frame (Nagle's rule, at the frame level).
   */
  sendData(ch: number, stream: StreamName, body: Buffer, interactive = false): boolean {
    if (this.isClosed || this.failing || this.stream.writableEnded) return false;
    this.writeFrame(encodeDataHead(ch, stream, body.length), body);
    if (interactive && this.batchBytes > 0 && this.stream.writableLength === 0) this.flushBatch();
    return this.writable;
  }

  /**
   * Writes one `data` frame whose body the caller read into a buffer of its own with at least
   * DATA_HEAD_ROOM_BYTES unused before `body.byteOffset`: the head is written into that room and the
   * frame leaves as one buffer. Over TLS this spares a copy of every body (a write of head and body, two
   * buffers, is first copied into one; a get of 1 GiB spent ~1.2 s in those writes). Only for memory the
   * caller owns: the bytes before the body are overwritten. `onWritten` says when the buffer may be used
   * again (not called when the frame went the two-buffer way instead).
   */
  sendDataInPlace(ch: number, stream: StreamName, body: Buffer, onWritten: () => void): boolean {
    if (this.isClosed || this.failing || this.stream.writableEnded) return false;
    const head = encodeDataHead(ch, stream, body.length);
    if (!this.onSocket || body.byteOffset < head.length || head.length + body.length <= SMALL_FRAME_BYTES) {
      this.writeFrame(head, body);
      return this.writable;
    }
    const frame = Buffer.from(body.buffer, body.byteOffset - head.length, head.length + body.length);
    head.copy(frame, 0);
    this.flushBatch();
    // The callback runs once the transport is done with the frame (written, or the connection gone).
    this.stream.write(frame, () => onWritten());
    return this.writable;
  }

  /**
   * PROTOCOL.md §7: a fatal error is sent to the peer with its code, then the
   * connection closes. Idempotent.
   */
  fail(error: FrameshError): void {
    if (this.isClosed || this.failing) return;
    this.closeError ??= error;
    const frame: ErrorMessage = { type: 'error', code: error.code, message: error.message };
    const [head] = encodeFrame(frame);
    this.failing = true;
    this.flushBatch();
    this.stream.end(head);
    setTimeout(() => this.stream.destroy(), FAIL_LINGER_MS).unref();
  }

  /** Orderly close: finish writing, then end. */
  close(): void {
    if (this.isClosed) return;
    this.flushBatch();
    this.stream.end();
    setTimeout(() => this.stream.destroy(), FAIL_LINGER_MS).unref();
  }

  /** Closes at once, dropping anything unsent. */
  destroy(error?: FrameshError): void {
    if (error) this.closeError ??= error;
    // What was sent before still gets its chance: a socket write goes to the kernel at once when it can.
    this.flushBatch();
    this.stream.destroy();
  }

  /**
   * Bytes queued for the peer above which we stop reading it: the data ceiling
   * (high-water mark plus one data frame, which data writers never pass) plus
   * headroom for replies. Legitimate data alone never reaches it, so two peers
   * both sending bulk data cannot pause each other into a deadlock.
   */
  private get readPauseBytes(): number {
    return this.stream.writableHighWaterMark + this.maxDataFrameBytes + REPLY_HEADROOM_BYTES;
  }

  private onData(chunk: Buffer): void {
    this.lastReceivedAt = performance.now();
    if (this.failing || this.isClosed) return;
    const { frames, error } = this.decoder.decode(chunk);
    if (this.inboundNext < this.inbound.length) {
      // Only while paused; the stream is paused too, so at most the chunk in flight lands here.
      this.inbound.push(...frames);
    } else {
      this.inbound = frames;
      this.inboundNext = 0;
    }
    this.inboundError ??= error;
    this.handleInbound();
  }

  /** Handles queued frames in order until they run out or replies back up. */
  private handleInbound(): void {
    while (this.inboundNext < this.inbound.length) {
      if (this.failing || this.isClosed) return;
      if (this.writableLength > this.readPauseBytes) {
        this.pauseReading();
        return;
      }
      const frame = this.inbound[this.inboundNext++] as Frame;
      if (!this.handleFrame(frame)) return;
    }
    this.inbound = [];
    this.inboundNext = 0;
    if (this.inboundError) this.fail(this.inboundError);
  }

  /** False when the frame failed the connection. */
  private handleFrame(frame: Frame): boolean {
    try {
      const message = validateMessage(frame.header);
      if (message.type === 'error' && message.ch === undefined) {
        // The peer is closing on us; keep its code for whoever waits on 'close'.
        this.closeError ??= new RemoteError(message.code, message.message);
        return true;
      }
      this.emit('message', message, frame.body);
      return true;
    } catch (err) {
      const error =
        err instanceof FrameshError ? err : new ProtocolError('internal error handling a frame', { cause: err });
      this.fail(error);
      return false;
    }
  }

  private pauseReading(): void {
    if (this.readPaused) return;
    this.readPaused = true;
    this.stream.pause();
  }

  private onDrain(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const wake of waiters) wake();
    if (!this.readPaused) return;
    this.readPaused = false;
    this.handleInbound();
    if (!this.readPaused && !this.isClosed) this.stream.resume();
  }

  private onEnd(): void {
    const eofError = this.decoder.end();
    if (eofError) this.closeError ??= eofError;
    this.flushBatch();
    if (!this.stream.writableEnded) this.stream.end();
  }

  private finish(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.drainWaiters = [];
    this.emit('close', this.closeError);
  }
}

function toConnectionError(err: NodeJS.ErrnoException): FrameshError {
  if (err instanceof FrameshError) return err;
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
    return new ConnectionError('CONNECTION_RESET', `connection reset by peer (${err.code})`, { cause: err });
  }
  return new ConnectionError('CONNECTION_CLOSED', `connection failed: ${err.message}`, { cause: err });
}
