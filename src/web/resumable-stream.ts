import { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

import { DEFAULT_RESUME_GRACE_MS } from './web-defaults.js';

export { DEFAULT_RESUME_GRACE_MS };
/** Bytes sent and not yet acknowledged by the page, kept for a resend; beyond this the session waits. */
const MAX_UNACKED_BYTES = 8 * 1024 * 1024;
/** Acknowledge the page's bytes at least this often (or at every 64 KiB). */
const ACK_INTERVAL_MS = 200;
const ACK_EVERY_BYTES = 64 * 1024;
/** Close codes (PROTOCOL.md §12.3). */
export const CLOSE_STREAM_UNKNOWN = 4404;

/**
 * The byte stream of one page (PROTOCOL.md §12.3, "Resuming"), as the Duplex the framesh session runs
 * over. It outlives its WebSockets: when one drops, what the session writes is kept (up to 8 MiB, then
 * the session's writes wait, and its channels stop reading their sources), and a new socket from the same
 * page resumes it — each side resends what the other had not acknowledged, so no byte is lost or doubled
 * and the terminal, its shell and every channel carry on. Without a new socket within the grace time the
 * stream ends, and the session with it (its terminals are hung up as on any lost connection).
 *
 * Binary WebSocket messages carry stream bytes; text messages carry this layer's JSON control: the
 * server's `{"type":"resume","received":N}` first on every socket, then `{"type":"ack","received":N}`
 * from either side.
 */
export class ResumableStream extends Duplex {
  private ws: WebSocket | null = null;
  /** Stream offset of the first byte in `unacked`. */
  private unackedStart = 0;
  private unacked: Buffer[] = [];
  private unackedBytes = 0;
  /** Bytes taken from the page so far (stream offset of the next one). */
  private received = 0;
  private ackedToPage = 0;
  private heldWrite: (() => void) | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  private ackTimer: NodeJS.Timeout | null = null;
  private readPaused = false;

  constructor(
    readonly id: string,
    private readonly graceMs: number = DEFAULT_RESUME_GRACE_MS,
    private readonly onActivity: (data: Buffer) => void = () => {},
  ) {
    super({ allowHalfOpen: false });
  }

  /** True while a socket carries the stream. */
  get connected(): boolean {
    return this.ws !== null;
  }

  /**
   * Carries the stream on `ws`, the page having received `pageReceived` bytes of it. False (and `ws` is
   * left alone) when that count is not one this stream can resume from.
   */
  attach(ws: WebSocket, pageReceived: number): boolean {
    const sent = this.unackedStart + this.unackedBytes;
    if (
      this.destroyed ||
      !Number.isSafeInteger(pageReceived) ||
      pageReceived < this.unackedStart ||
      pageReceived > sent
    )
      return false;
    this.detach();
    this.trim(pageReceived);
    this.ws = ws;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    ws.send(JSON.stringify({ type: 'resume', received: this.received }));
    this.ackedToPage = this.received;
    for (const chunk of this.unacked) ws.send(chunk);
    ws.on('message', (data: Buffer, isBinary: boolean) => (isBinary ? this.fromPage(data) : this.control(data)));
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.stopAckTimer();
      if (!this.destroyed) this.graceTimer = setTimeout(() => this.destroy(), this.graceMs);
    });
    if (this.readPaused) ws.pause();
    return true;
  }

  /** Ends the stream for good: the socket closes with `code` (the page does not resume) and the session ends. */
  close(code: number, reason: string): void {
    const ws = this.ws;
    this.ws = null;
    ws?.close(code, reason);
    this.destroy();
  }

  /** Cuts the current socket (if any) without ending the stream: the page may resume. */
  cut(): void {
    this.ws?.terminate();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.unacked.push(chunk);
    this.unackedBytes += chunk.length;
    if (this.ws && this.ws.readyState === this.ws.OPEN) this.ws.send(chunk);
    // Backpressure: the session's writes complete only while the resend buffer is bounded.
    if (this.unackedBytes > MAX_UNACKED_BYTES) this.heldWrite = callback;
    else callback();
  }

  override _read(): void {
    this.readPaused = false;
    this.ws?.resume();
  }

  override _final(callback: (error?: Error | null) => void): void {
    // The session closed the connection: the page sees the socket end (after what was sent).
    this.ws?.close(1000, 'session ended');
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.stopAckTimer();
    this.ws?.terminate();
    this.ws = null;
    const held = this.heldWrite;
    this.heldWrite = null;
    held?.();
    callback(error);
  }

  private fromPage(data: Buffer): void {
    this.received += data.length;
    this.onActivity(data);
    if (!this.push(data)) {
      this.readPaused = true;
      this.ws?.pause();
    }
    if (this.received - this.ackedToPage >= ACK_EVERY_BYTES) this.ack();
    else this.ackTimer ??= setTimeout(() => this.ack(), ACK_INTERVAL_MS);
  }

  private control(data: Buffer): void {
    let message: { type?: unknown; received?: unknown };
    try {
      message = JSON.parse(data.toString('utf8')) as typeof message;
    } catch {
      return;
    }
    if (message.type === 'ack' && typeof message.received === 'number') this.trim(message.received);
  }

  private ack(): void {
    this.stopAckTimer();
    if (!this.ws || this.received === this.ackedToPage) return;
    this.ackedToPage = this.received;
    this.ws.send(JSON.stringify({ type: 'ack', received: this.received }));
  }

  private stopAckTimer(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
  }

  /** The page holds every byte before `offset`: forget them. */
  private trim(offset: number): void {
    const end = this.unackedStart + this.unackedBytes;
    if (!Number.isSafeInteger(offset) || offset <= this.unackedStart || offset > end) return;
    let drop = offset - this.unackedStart;
    while (drop > 0 && this.unacked.length > 0) {
      const head = this.unacked[0]!;
      if (head.length <= drop) {
        this.unacked.shift();
        drop -= head.length;
        this.unackedBytes -= head.length;
        this.unackedStart += head.length;
      } else {
        this.unacked[0] = head.subarray(drop);
        this.unackedBytes -= drop;
        this.unackedStart += drop;
        drop = 0;
      }
    }
    if (this.heldWrite && this.unackedBytes <= MAX_UNACKED_BYTES) {
      const held = this.heldWrite;
      this.heldWrite = null;
      held();
    }
  }

  private detach(): void {
    const old = this.ws;
    this.ws = null;
    old?.terminate();
  }
}
