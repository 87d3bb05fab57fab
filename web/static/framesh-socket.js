// One framesh connection from the page (docs/PROTOCOL.md §12.3), over a ResumableTransport that
// outlives a dropped WebSocket: every binary message this side sends is one whole frame; what arrives
// may be cut anywhere, and FrameReader joins it. The server treats the socket as authenticated by the
// web session's cookie, so after the hello exchange channels open at once (no `auth`).

import { encodeFrame, FrameReader } from './frame-codec.js';
import { ResumableTransport } from './resumable-transport.js';

/** What this browser end accepts (PROTOCOL.md §3 defaults). */
const LIMITS = { maxHeaderBytes: 65536, maxBodyBytes: 1048576, maxChannels: 64 };

export class FrameshSocket {
  /** @param {string} url ws:// or wss:// URL of /ws */
  constructor(url) {
    this.channels = new Map();
    this.nextChannel = 1;
    this.serverHello = null;
    this.reader = new FrameReader(LIMITS);
    this.closed = false;
    /** Transport states (resumable-transport.js): 'reconnecting', 'resumed', and the ends. */
    this.onstate = () => {};
    this.onclose = () => {};
    this.onfatal = () => {};
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.transport = new ResumableTransport(url);
    this.transport.onbytes = (bytes) => this.receive(bytes);
    this.transport.onstate = (state, ...details) => {
      if (state === 'open') {
        this.send({
          type: 'hello',
          version: '1.0',
          agent: 'framesh-web/0.1.0',
          capabilities: ['exec', 'files', 'shell', 'pty'],
          limits: LIMITS,
        });
        return;
      }
      this.onstate(state, ...details);
      if (state === 'ended' || state === 'lost' || state === 'failed' || state === 'closed') this.ended(state);
    };
  }

  /** The peer's body limit, for splitting data (§5.1: at most 1 MiB per frame). */
  get maxChunkBytes() {
    return Math.min(this.serverHello?.limits?.maxBodyBytes ?? LIMITS.maxBodyBytes, 256 * 1024);
  }

  /** Bytes sent and not yet acknowledged: data senders wait while it is high (socket backpressure, §5.1). */
  get bufferedBytes() {
    return this.transport.pendingBytes;
  }

  /** One frame, one WebSocket message (§12.3); kept for a resend until the server has it. */
  send(header, body) {
    if (this.closed) return false;
    return this.transport.send(encodeFrame(header, body));
  }

  /** Opens channel `ch` with `fields` (kind, window, …); `channel.handle(header, body)` gets its frames. */
  open(fields, channel) {
    const ch = this.nextChannel++;
    this.channels.set(ch, channel);
    channel.ch = ch;
    this.send({ type: 'open', ch, ...fields });
    return ch;
  }

  /** A channel got its final frame. */
  release(ch) {
    this.channels.delete(ch);
  }

  close() {
    this.closed = true;
    this.transport.close();
  }

  receive(data) {
    let frames;
    try {
      frames = this.reader.push(data);
    } catch (err) {
      this.fatal({ code: 'PROTOCOL', message: err.message });
      return;
    }
    for (const { header, body } of frames) this.dispatch(header, body);
  }

  dispatch(header, body) {
    if (!this.serverHello) {
      if (header.type === 'hello') {
        this.serverHello = header;
        this.resolveReady(header);
      } else if (header.type === 'error') this.fatal(header);
      return;
    }
    switch (header.type) {
      case 'ping':
        this.send({ type: 'pong', id: header.id });
        return;
      case 'pong':
      case 'goaway':
        return;
      case 'error':
        if (header.ch === undefined) {
          this.fatal(header);
          return;
        }
      // A channel error is that channel's final frame.
      // falls through
      default: {
        const channel = this.channels.get(header.ch);
        if (channel) channel.handle(header, body);
      }
    }
  }

  fatal(error) {
    this.onfatal(error);
    this.rejectReady(Object.assign(new Error(error.message), { code: error.code }));
    if (!this.closed) this.close();
  }

  /** The stream is over for good (`state`: ended, lost, failed or closed): every channel with it. */
  ended(state) {
    const wasClosed = this.closed;
    this.closed = true;
    this.rejectReady(Object.assign(new Error(`connection ${state}`), { code: 'CONNECTION_CLOSED' }));
    for (const channel of this.channels.values()) channel.lost?.();
    this.channels.clear();
    this.onclose({ state, byPage: wasClosed });
  }
}

/** Answers one `web` request (PROTOCOL.md §12.2) with its JSON body. */
export function webRequest(socket, fields) {
  return new Promise((resolve, reject) => {
    socket.open(
      { kind: 'web', window: 1024, ...fields },
      {
        handle(header, body) {
          socket.release(this.ch);
          if (header.type === 'done') resolve(JSON.parse(new TextDecoder().decode(body)));
          else if (header.type === 'error') reject(Object.assign(new Error(header.message), { code: header.code }));
        },
        lost() {
          reject(Object.assign(new Error('connection lost'), { code: 'CONNECTION_CLOSED' }));
        },
      },
    );
  });
}
