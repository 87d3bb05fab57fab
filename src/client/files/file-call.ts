import { ReceiveWindow, SendWindow } from '../../protocol/flow-control.js';
import type { DoneMessage, Message, OpenedMessage } from '../../protocol/messages.js';
import { type FrameshError, RemoteError } from '../../errors.js';
import type { CallTransport, ClientChannel } from '../client-channel.js';
import { InputStream } from '../input-stream.js';
import { OutputStream } from '../output-stream.js';

/** The server's final `done` frame and its body (a directory listing for stat). */
export interface FileCallResult {
  readonly done: DoneMessage;
  readonly body: Buffer;
}

/**
 * The client end of a put, get or stat channel (PROTOCOL.md §9). `input`
 * carries upload bytes within the server's window and ends with `done` and
 * the SHA-256 from `finalHash`; `output` delivers download bytes, returning
 * window credit as they are consumed.
 */
export class FileCall implements ClientChannel {
  readonly channelId: number;
  readonly opened: Promise<OpenedMessage>;
  readonly result: Promise<FileCallResult>;
  readonly input: InputStream;
  readonly output: OutputStream;
  private readonly link: CallTransport;
  private readonly receiveWindow: ReceiveWindow;
  private sendWindow = new SendWindow(0);
  private ended = false;
  private isOpened = false;
  private finalHash: () => string | undefined = () => undefined;
  private resolveOpened!: (m: OpenedMessage) => void;
  private rejectOpened!: (e: FrameshError) => void;
  private resolveResult!: (r: FileCallResult) => void;
  private rejectResult!: (e: FrameshError) => void;

  constructor(channelId: number, link: CallTransport, windowBytes: number) {
    this.channelId = channelId;
    this.link = link;
    this.receiveWindow = new ReceiveWindow(windowBytes);
    this.opened = new Promise((resolve, reject) => {
      this.resolveOpened = resolve;
      this.rejectOpened = reject;
    });
    this.result = new Promise((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    // Handled here so an unawaited failure cannot crash the process; awaiting still rejects.
    this.opened.catch(() => {});
    this.result.catch(() => {});
    this.output = new OutputStream((bytes) => {
      const grant = this.receiveWindow.consume(bytes);
      if (grant > 0 && !this.ended) link.send({ type: 'window', ch: channelId, bytes: grant });
    });
    // The window is replaced when `opened` arrives, so the stream reads it through this arrow each time.
    const currentWindow = (): SendWindow => this.sendWindow;
    this.input = new InputStream({
      get window() {
        return currentWindow();
      },
      maxChunkBytes: () => link.maxChunkBytes(),
      isOpen: () => !this.ended,
      sendData: (chunk) => link.sendData('file', chunk),
      get writable() {
        return link.writable;
      },
      whenWritable: (wake) => link.whenWritable(wake),
      sendEof: () => {
        const sha256 = this.finalHash();
        link.send(sha256 ? { type: 'done', ch: channelId, sha256 } : { type: 'done', ch: channelId });
      },
    });
  }

  get settled(): Promise<FileCallResult> {
    return this.result;
  }

  /** put: start sending from `offset`; `finalHash` is read when the input ends. */
  seek(offset: number, finalHash: () => string): void {
    this.finalHash = finalHash;
    this.link.send({ type: 'seek', ch: this.channelId, offset });
    this.input.markOpen();
  }

  cancel(): void {
    if (!this.ended) this.link.send({ type: 'cancel', ch: this.channelId });
  }

  handle(message: Message, body: Buffer): void {
    switch (message.type) {
      case 'opened':
        this.isOpened = true;
        this.sendWindow = new SendWindow(message.window);
        this.resolveOpened(message);
        return;
      case 'data':
        this.receiveWindow.receive(body.length);
        this.output.deliver(body);
        return;
      case 'window':
        this.sendWindow.grant(message.bytes);
        this.input.pump();
        return;
      case 'done':
        this.ended = true;
        this.output.finish();
        this.resolveResult({ done: message, body });
        return;
      case 'error':
        this.fail(new RemoteError(message.code, message.message));
        return;
      default:
        return;
    }
  }

  fail(error: FrameshError): void {
    if (this.ended) return;
    this.ended = true;
    this.output.finish();
    this.input.markOpen();
    if (!this.isOpened) this.rejectOpened(error);
    this.rejectResult(error);
  }
}
