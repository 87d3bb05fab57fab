import { ReceiveWindow, SendWindow } from '../protocol/flow-control.js';
import type { ExitReason, Message } from '../protocol/messages.js';
import {
  appendCallerSite,
  type CallerSite,
  captureCallerSite,
  type FrameshError,
  RemoteError,
  TimeoutError,
} from '../errors.js';
import { InputStream } from './input-stream.js';
import { OutputStream } from './output-stream.js';
import type { CallTransport, ClientChannel } from './client-channel.js';

/** How a remote command ended. */
export interface ExitResult {
  /** Exit code, or null when a signal ended it. */
  readonly code: number | null;
  /** Signal name such as "SIGTERM", or null. */
  readonly signal: string | null;
  /** Set when the server ended the command: "timeout", "cancel", ... */
  readonly reason?: ExitReason;
}

/**
 * A running remote command (the client end of one channel). `stdout` and
 * `stderr` are Readables, `stdin` a Writable, `exit` resolves once with how
 * it ended, after the last output byte was delivered.
 */
export class ExecCall implements ClientChannel {
  readonly channelId: number;
  readonly stdin: InputStream;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Resolves when the command ended; rejects with a FrameshError if it could not start or the connection failed. */
  readonly exit: Promise<ExitResult>;
  /** Resolves once the server started the command. */
  readonly started: Promise<void>;
  private readonly link: CallTransport;
  private readonly receiveWindow: ReceiveWindow;
  private sendWindow = new SendWindow(0);
  private isSettled = false;
  private isStarted = false;
  private resolveExit!: (result: ExitResult) => void;
  private rejectExit!: (error: FrameshError) => void;
  private resolveStarted!: () => void;
  private rejectStarted!: (error: FrameshError) => void;
  /** @internal Captured at the call site, so a remote failure shows the caller's stack (run() reuses it). */
  readonly callerSite: CallerSite;

  constructor(channelId: number, link: CallTransport, windowBytes: number) {
    this.channelId = channelId;
    this.link = link;
    this.receiveWindow = new ReceiveWindow(windowBytes);
    this.callerSite = captureCallerSite(ExecCall);
    const consumed = (bytes: number): void => this.onConsumed(bytes);
    this.stdout = new OutputStream(consumed);
    this.stderr = new OutputStream(consumed);
    // The window is replaced when `opened` arrives, so the stream reads it through this arrow each time.
    const currentWindow = (): SendWindow => this.sendWindow;
    this.stdin = new InputStream({
      get window() {
        return currentWindow();
      },
      maxChunkBytes: () => link.maxChunkBytes(),
      isOpen: () => this.running,
      sendData: (chunk) => link.sendData('stdin', chunk),
      get writable() {
        return link.writable;
      },
      whenWritable: (wake) => link.whenWritable(wake),
      sendEof: () => link.send({ type: 'eof', ch: channelId, stream: 'stdin' }),
    });
    this.exit = new Promise((resolve, reject) => {
      this.resolveExit = resolve;
      this.rejectExit = reject;
    });
    this.started = new Promise((resolve, reject) => {
      this.resolveStarted = resolve;
      this.rejectStarted = reject;
    });
    // Marked handled so a caller who never awaits them cannot crash the process; awaiting still rejects.
    this.exit.catch(() => {});
    this.started.catch(() => {});
  }

  /** Ends when the channel does (ClientChannel). */
  get settled(): Promise<ExitResult> {
    return this.exit;
  }

  /** True until the command has exited or failed. */
  get running(): boolean {
    return !this.isSettled;
  }

  /** Sends a signal ("INT", "SIGTERM", ...) to the remote command's process group. */
  signal(name: string): void {
    if (!this.isSettled) this.link.send({ type: 'signal', ch: this.channelId, signal: name });
  }

  /** Ends the remote command: SIGTERM, then SIGKILL after the server's grace period. */
  cancel(): void {
    if (!this.isSettled) this.link.send({ type: 'cancel', ch: this.channelId });
  }

  /** @internal Called by the client for each message on this channel. */
  handle(message: Message, body: Buffer): void {
    // PROTOCOL.md §4: nothing follows a channel's final frame; frames that still do (in the same read) are dropped.
    if (this.isSettled) return;
    switch (message.type) {
      case 'opened':
        this.isStarted = true;
        this.sendWindow = new SendWindow(message.window);
        this.stdin.markOpen();
        this.resolveStarted();
        return;
      case 'data':
        this.receiveWindow.receive(body.length);
        (message.stream === 'stderr' ? this.stderr : this.stdout).deliver(body);
        return;
      case 'eof':
        (message.stream === 'stderr' ? this.stderr : this.stdout).finish();
        return;
      case 'window':
        this.sendWindow.grant(message.bytes);
        this.stdin.pump();
        return;
      case 'exit':
        this.settle();
        this.resolveExit(
          message.reason
            ? { code: message.code, signal: message.signal, reason: message.reason }
            : { code: message.code, signal: message.signal },
        );
        return;
      case 'error':
        this.fail(new RemoteError(message.code, message.message));
        return;
      default:
        return;
    }
  }

  /** @internal The channel or the whole connection failed. */
  fail(error: FrameshError): void {
    if (this.isSettled) return;
    this.settle();
    appendCallerSite(error, this.callerSite);
    if (!this.isStarted) this.rejectStarted(error);
    this.rejectExit(error);
  }

  /** @internal Client-side deadline (used by run()). */
  failWithTimeout(ms: number): void {
    this.cancel();
    this.fail(new TimeoutError(`command did not finish within ${ms} ms`));
  }

  private settle(): void {
    this.isSettled = true;
    this.stdout.finish();
    this.stderr.finish();
    this.stdin.markOpen();
  }

  private onConsumed(bytes: number): void {
    const grant = this.receiveWindow.consume(bytes);
    if (grant > 0 && !this.isSettled) this.link.send({ type: 'window', ch: this.channelId, bytes: grant });
  }
}
