import type { StreamName } from '../protocol/constants.js';
import type { Message, OpenMessage } from '../protocol/messages.js';
import type { FrameshError } from '../errors.js';

/**
 * The vocabulary shared by the client and the calls on its channels (exec,
 * files, and later kinds). A leaf module: the calls take a ChannelOpener
 * instead of importing client.ts, so nothing imports back up the tree (as
 * undici's connectH1(client, socket) takes its client as a parameter).
 */

/** The client end of one channel: receives its frames until `settled` ends. */
export interface ClientChannel {
  /** @internal Called by the client for each message on this channel. */
  handle(message: Message, body: Buffer): void;
  /** @internal The channel or the whole connection failed. */
  fail(error: FrameshError): void;
  /** Ends (either way) when the channel has its final frame or failed. */
  readonly settled: Promise<unknown>;
}

/** What a call needs from its client connection to send on its channel. */
export interface CallTransport {
  send(message: Message, body?: Buffer): void;
  /** A `data` frame on this channel (the hot path: no header object); false once the socket is full. */
  sendData(stream: StreamName, body: Buffer): boolean;
  maxChunkBytes(): number;
  /** The connection's outbound state (FramedConnection's Outbound): data waits while it is false. */
  readonly writable: boolean;
  whenWritable(wake: () => void): void;
}

/** Opens a channel of any kind: `make` builds the local end, `open` its `open` frame. */
export interface ChannelOpener {
  openChannel<T extends ClientChannel>(
    make: (ch: number, link: CallTransport) => T,
    open: (ch: number) => OpenMessage,
  ): T;
}
