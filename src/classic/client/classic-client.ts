import type net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { ACK_READY, type ClassicFormat } from '../classic-format.js';
import { ConnectionError, FrameshError, TimeoutError } from '../../errors.js';
import { connectClassicSocket, describeTarget, toClassicSocketError, type ClassicTarget } from './classic-connect.js';
import { createReplyReader, type FramedReplyReader, type ReplyEvent } from './framed-reply-reader.js';
import { SilenceTimer } from './silence-timer.js';

/** How long `connect()` waits for the TCP handshake. */
export const CLASSIC_CONNECT_TIMEOUT_MS = 10_000;

export interface ClassicClientOptions {
  readonly format: ClassicFormat;
  /** Cap on one reply's body (`--max-reply`). */
  readonly maxReplyBytes: number;
  /** A raw reply, and a greeting, end after this much silence (`--idle`). */
  readonly idleMs: number;
  /** Longest wait for the next byte of a framed reply, for a greeting's first byte, or for a write to drain; 0 waits forever. */
  readonly timeoutMs: number;
}

/** Where reply bytes go. `write` returning false pauses the socket until `onDrain` calls back. */
export interface ReplySink {
  write(chunk: Buffer): boolean;
  onDrain(resume: () => void): void;
}

/** The part of one read in progress that the socket events are routed to. */
interface ReadHandler {
  start(): void;
  data(chunk: Buffer): void;
  end(): void;
}

/**
 * One connection to a classic server (docs/CLASSIC.md): send a command, read
 * its reply, upload. The socket is paused except while a reply is being read,
 * so a server that talks unasked is held back by TCP instead of by memory.
 * Any failure (bad reply, timeout, reset) ends the connection: once framing is
 * lost no later reply could be trusted.
 */
export class ClassicClient {
  readonly target: ClassicTarget;
  readonly #socket: net.Socket;
  readonly #options: ClassicClientOptions;
  readonly #reader: FramedReplyReader | null;
  /** raw only: bytes that arrived between replies; they belong to an earlier reply, shown first next time. */
  #held: Buffer[] = [];
  #reading: ReadHandler | null = null;
  #failPending: ((err: FrameshError) => void) | null = null;
  /** ack only: no command is sent before this time (see the `size` event in #readFramed). */
  #quietUntil = 0;
  #ended = false;
  #failure: FrameshError | null = null;

  static async connect(target: ClassicTarget, options: ClassicClientOptions): Promise<ClassicClient> {
    return new ClassicClient(await connectClassicSocket(target, CLASSIC_CONNECT_TIMEOUT_MS), target, options);
  }

  constructor(socket: net.Socket, target: ClassicTarget, options: ClassicClientOptions) {
    this.target = target;
    this.#socket = socket;
    this.#options = options;
    this.#reader = options.format === 'raw' ? null : createReplyReader(options.format, options.maxReplyBytes);
    socket.pause();
    socket.on('data', (chunk: Buffer) =>
      this.#guard(() => (this.#reading ? this.#reading.data(chunk) : this.#between(chunk))),
    );
    socket.on('end', () => {
      this.#ended = true;
      this.#guard(() => this.#reading?.end());
    });
    socket.on('error', (err: NodeJS.ErrnoException) => this.#fail(toClassicSocketError(err, target)));
    socket.on('close', () =>
      this.#fail(
        this.#ended
          ? this.#closedByServer()
          : new ConnectionError('CONNECTION_CLOSED', `the connection to ${describeTarget(target)} closed`),
      ),
    );
  }

  /** Sends one command as one write, as a classic client's single `send()`. */
  async send(command: Buffer): Promise<void> {
    const settleMs = this.#quietUntil - performance.now();
    if (settleMs > 0) await delay(settleMs);
    if (this.#failure) throw this.#failure;
    if (this.#ended) throw this.#closedByServer();
    return this.write(command);
  }

  /** Writes bytes, waiting (bounded by the timeout) while the socket's buffer is full. */
  write(bytes: Buffer): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#socket.write(bytes)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer =
        this.#options.timeoutMs > 0
          ? setTimeout(
              () =>
                done(
                  this.#fail(
                    new TimeoutError(
                      `the server at ${describeTarget(this.target)} stopped reading for ${this.#options.timeoutMs} ms (--timeout)`,
                    ),
                  ),
                ),
              this.#options.timeoutMs,
            )
          : null;
      const done = (err?: FrameshError): void => {
        if (timer) clearTimeout(timer);
        this.#socket.off('drain', onDrain);
        this.#socket.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = (): void => done();
      const onClose = (): void => done(this.#failure ?? this.#closedByServer());
      this.#socket.on('drain', onDrain);
      this.#socket.on('close', onClose);
    });
  }

  /** Reads exactly one reply into `sink`: the framed size, or for raw everything until `idleMs` of silence. */
  readReply(sink: ReplySink): Promise<void> {
    return this.#reader ? this.#readFramed(this.#reader, sink) : this.#readUntilIdle(sink, null);
  }

  /** Reads the greeting some servers send after accept: it has no framing, so it ends after `idleMs` of silence. */
  readGreeting(sink: ReplySink): Promise<void> {
    return this.#readUntilIdle(sink, this.#options.timeoutMs);
  }

  /**
   * Ends our side and waits (bounded by the timeout) for the server to close
   * its side: a classic server sends nothing after an upload, and closing is
   * the only sign that it has read every byte. Resolves with whether the
   * server did close in time and how many unexpected bytes it sent meanwhile.
   */
  finish(): Promise<{ closedByServer: boolean; strayBytes: number }> {
    if (this.#socket.destroyed) {
      return this.#ended
        ? Promise.resolve({ closedByServer: true, strayBytes: 0 })
        : Promise.reject(this.#failure ?? this.#closedByServer());
    }
    return new Promise((resolve, reject) => {
      let strayBytes = 0;
      const timer =
        this.#options.timeoutMs > 0
          ? setTimeout(() => {
              this.#socket.destroy();
              resolve({ closedByServer: false, strayBytes });
            }, this.#options.timeoutMs)
          : null;
      this.#reading = { start: () => {}, data: (chunk) => (strayBytes += chunk.length), end: () => {} };
      this.#socket.once('close', (hadError) => {
        if (timer) clearTimeout(timer);
        if (hadError && this.#failure) reject(this.#failure);
        else resolve({ closedByServer: true, strayBytes });
      });
      this.#socket.end();
      this.#socket.resume();
    });
  }

  /** Leaves: ends our side once pending writes are out, then frees the socket without waiting for the server. */
  close(): void {
    if (this.#socket.destroyed) return;
    this.#socket.end(() => this.#socket.destroy());
  }

  #readFramed(reader: FramedReplyReader, sink: ReplySink): Promise<void> {
    return this.#read(
      (finish, timer) => {
        const handle = (events: ReplyEvent[]): void => {
          for (const event of events) {
            if (event.type === 'size') {
              // docs/CLASSIC.md, ack: the server sends the body only after this.
              if (this.#options.format === 'ack') {
                this.#socket.write(ACK_READY);
                // An empty reply ends at once, and the next command could reach the server in the same read as
                // `recv_ready` (the sticky-packet problem, server side): leave it --idle ms to take its read first.
                if (event.size === 0) this.#quietUntil = performance.now() + this.#options.idleMs;
              }
            } else if (event.type === 'body') {
              this.#writeSink(sink, event.chunk, timer);
            } else {
              finish();
            }
          }
        };
        return {
          start: () => {
            timer.arm();
            handle(reader.next());
          },
          data: (chunk) => {
            timer.arm();
            handle(reader.push(chunk));
            handle(reader.endOfRead());
          },
          end: () => {
            reader.end();
            finish(this.#closedByServer());
          },
        };
      },
      (finish) =>
        finish(
          new TimeoutError(
            `no reply from ${describeTarget(this.target)} for ${this.#options.timeoutMs} ms (--timeout)`,
          ),
        ),
      this.#options.timeoutMs,
    );
  }

  /** A raw reply or a greeting. With `firstByteMs`, silence before the first byte is a timeout, not an empty reply. */
  #readUntilIdle(sink: ReplySink, firstByteMs: number | null): Promise<void> {
    let gotByte = false;
    return this.#read(
      (finish, timer) => ({
        start: () => {
          const held = this.#held;
          this.#held = [];
          for (const chunk of held) this.#writeSink(sink, chunk, timer);
          gotByte = held.length > 0;
          timer.arm(gotByte || firstByteMs === null ? this.#options.idleMs : firstByteMs);
        },
        data: (chunk) => {
          gotByte = true;
          timer.arm(this.#options.idleMs);
          this.#writeSink(sink, chunk, timer);
        },
        // A raw reply may end with the connection; the next send then reports the close.
        end: () => finish(),
      }),
      (finish) =>
        finish(
          gotByte || firstByteMs === null
            ? undefined
            : new TimeoutError(`no greeting from ${describeTarget(this.target)} within ${firstByteMs} ms`),
        ),
      this.#options.idleMs,
    );
  }

  #read(
    begin: (finish: (err?: FrameshError) => void, timer: SilenceTimer) => ReadHandler,
    onSilence: (finish: (err?: FrameshError) => void) => void,
    silenceMs: number,
  ): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#reading) return Promise.reject(new Error('ClassicClient: a reply is already being read'));
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (err?: FrameshError): void => {
        if (settled) return;
        settled = true;
        timer.clear();
        this.#reading = null;
        this.#failPending = null;
        this.#socket.pause();
        if (err) reject(this.#fail(err));
        else resolve();
      };
      const timer = new SilenceTimer(
        silenceMs,
        () => onSilence(finish),
        () => !settled,
      );
      const handler = begin(finish, timer);
      this.#reading = handler;
      // A failure that ends the connection (reset, bad reply, close) reaches this read through #fail.
      this.#failPending = finish;
      this.#guard(() => handler.start());
      if (settled) return;
      if (this.#ended) this.#guard(() => handler.end());
      else if (!timer.pausedForSink) this.#socket.resume();
    });
  }

  #writeSink(sink: ReplySink, chunk: Buffer, timer: SilenceTimer): void {
    if (sink.write(chunk)) return;
    // Our own output is slow: stop reading, and do not count the wait as the server's silence.
    this.#socket.pause();
    timer.pauseForSink();
    sink.onDrain(() => {
      if (!timer.resumeFromSink()) return;
      this.#socket.resume();
    });
  }

  /** Bytes that came while no reply was being read. */
  #between(chunk: Buffer): void {
    if (this.#reader) this.#reader.push(chunk);
    else this.#held.push(chunk);
  }

  #closedByServer(): FrameshError {
    return new ConnectionError(
      'CONNECTION_CLOSED',
      `the server at ${describeTarget(this.target)} closed the connection without replying`,
    );
  }

  #guard(step: () => void): void {
    try {
      step();
    } catch (err) {
      this.#fail(err instanceof FrameshError ? err : new FrameshError('INTERNAL', String(err), { cause: err }));
    }
  }

  /** Records the first failure, ends the connection and fails a pending read; returns the recorded failure. */
  #fail(err: FrameshError): FrameshError {
    if (!this.#failure) this.#failure = err;
    const failure = this.#failure;
    if (!this.#socket.destroyed) this.#socket.destroy();
    const pending = this.#failPending;
    this.#failPending = null;
    pending?.(failure);
    return failure;
  }
}
