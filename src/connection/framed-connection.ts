import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { DEFAULT_LIMITS } from '../protocol/constants.js';
import { encodeDataHead, encodeFrame } from '../protocol/frame-encoder.js';
import { FrameDecoder } from '../protocol/frame-decoder.js';
import { validateMessage } from '../protocol/message-validation.js';
import type { FrameLimits } from '../protocol/frame.js';
import type { StreamName } from '../protocol/constants.js';
import type { ErrorMessage, Message } from '../protocol/messages.js';
import { ConnectionError, FrameshError, ProtocolError, RemoteError } from '../errors.js';

/** How long a failed connection waits for the peer to read our error frame before it is destroyed. */
const FAIL_LINGER_MS = 2000;

export interface FramedConnectionEvents {
  /** One validated message. A FrameshError thrown by a listener fails the connection with that code. */
  message: [message: Message, body: Buffer];
  /** Emitted once. `error` is null for an orderly close. */
  close: [error: FrameshError | null];
  /** The transport's write buffer emptied after send() returned false. */
  drain: [];
}

/**
 * The protocol over any Node Duplex (TCP now, TLS later): decodes frames,
 * validates messages and writes frames as header+body inside cork()/uncork().
 * It never emits 'error'; every failure arrives once, through 'close'.
 */
export class FramedConnection extends EventEmitter<FramedConnectionEvents> {
  readonly stream: Duplex;
  /** What the peer accepts; replaced by the limits in its hello. */
  peerLimits: FrameLimits = DEFAULT_LIMITS;
  private readonly decoder: FrameDecoder;
  private closeError: FrameshError | null = null;
  private isClosed = false;
  private failing = false;
  /** performance.now() of the last byte received, for keepalive. */
  lastReceivedAt = performance.now();

  constructor(stream: Duplex, limits: FrameLimits = DEFAULT_LIMITS) {
    super();
    this.stream = stream;
    this.decoder = new FrameDecoder(limits);
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('end', () => this.onEnd());
    stream.on('error', (err: NodeJS.ErrnoException) => {
      this.closeError ??= toConnectionError(err);
    });
    stream.on('close', () => this.finish());
    stream.on('drain', () => this.emit('drain'));
    // One 'drain' waiter per blocked output stream: up to two per channel, so more than the default 10.
    this.setMaxListeners(0);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Bytes waiting in the transport's write buffer. */
  get writableLength(): number {
    return this.stream.writableLength;
  }

  /**
   * Writes one frame. Returns false when the transport's buffer is full, as
   * Writable.write() does; the caller decides whether to wait for 'drain'.
   */
  send(header: Message, body?: Buffer): boolean {
    if (this.isClosed || this.failing || this.stream.writableEnded) return false;
    const [head, payload] = encodeFrame(header, body);
    if (payload.length === 0) return this.stream.write(head);
    this.stream.cork();
    this.stream.write(head);
    const ok = this.stream.write(payload);
    this.stream.uncork();
    return ok;
  }

  /** Writes one `data` frame (the hot path: same bytes as send(), fewer allocations). */
  sendData(ch: number, stream: StreamName, body: Buffer): boolean {
    if (this.isClosed || this.failing || this.stream.writableEnded) return false;
    this.stream.cork();
    this.stream.write(encodeDataHead(ch, stream, body.length));
    const ok = this.stream.write(body);
    this.stream.uncork();
    return ok;
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
    this.stream.end(head);
    setTimeout(() => this.stream.destroy(), FAIL_LINGER_MS).unref();
  }

  /** Orderly close: finish writing, then end. */
  close(): void {
    if (this.isClosed) return;
    this.stream.end();
    setTimeout(() => this.stream.destroy(), FAIL_LINGER_MS).unref();
  }

  /** Closes at once, dropping anything unsent. */
  destroy(error?: FrameshError): void {
    if (error) this.closeError ??= error;
    this.stream.destroy();
  }

  private onData(chunk: Buffer): void {
    this.lastReceivedAt = performance.now();
    if (this.failing || this.isClosed) return;
    const { frames, error } = this.decoder.decode(chunk);
    for (const frame of frames) {
      if (this.failing || this.isClosed) return;
      try {
        const message = validateMessage(frame.header);
        if (message.type === 'error' && message.ch === undefined) {
          // The peer is closing on us; keep its code for whoever waits on 'close'.
          this.closeError ??= new RemoteError(message.code, message.message);
          continue;
        }
        this.emit('message', message, frame.body);
      } catch (err) {
        this.fail(err instanceof FrameshError ? err : new ProtocolError('internal error handling a frame', { cause: err }));
        return;
      }
    }
    if (error) this.fail(error);
  }

  private onEnd(): void {
    const eofError = this.decoder.end();
    if (eofError) this.closeError ??= eofError;
    if (!this.stream.writableEnded) this.stream.end();
  }

  private finish(): void {
    if (this.isClosed) return;
    this.isClosed = true;
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
