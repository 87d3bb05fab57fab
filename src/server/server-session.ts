import type { FramedConnection } from '../connection/framed-connection.js';
import { buildHello, checkPeerVersion } from '../protocol/hello.js';
import { validateOpenFields } from '../protocol/message-validation.js';
import type { ChannelMessage, Message, PeerLimits } from '../protocol/messages.js';
import { FrameshError, LimitError, ProtocolError } from '../errors.js';
import type { ChannelFactory, ConnectionEndpoints, ServerChannel } from './server-channel.js';
import { AGENT, CAPABILITIES } from '../version.js';
import type { AuthenticatedIdentity, Authenticator } from '../security/authenticator.js';
import { RestrictedError, restrictOpen } from './key-restrictions.js';

export interface SessionOptions {
  readonly limits: PeerLimits;
  /** Peer address, for the audit log. */
  readonly remote: string;
  /** What the hello offers (default: this build's CAPABILITIES). */
  readonly capabilities?: readonly string[];
  /** Both ends of the connection, handed to channels (FRAMESH_CONNECTION). */
  readonly endpoints: ConnectionEndpoints;
  /** One factory per channel kind this server offers ("exec", ...). */
  readonly channelKinds: ReadonlyMap<string, ChannelFactory>;
  /** When set, nothing but `auth` and `ping` is accepted after hello until it succeeds (PROTOCOL.md §10). */
  readonly authenticator?: Authenticator;
  /**
   * A connection authenticated before its first frame (the browser terminal: the web session's cookie,
   * minted by this key; PROTOCOL.md §12.3). Channels open after hello as on an --insecure server, but
   * carry this identity (audit log, the key's authorized_keys options).
   */
  readonly identity?: AuthenticatedIdentity;
}

export type { AuthenticatedIdentity, Authenticator };

/** Channel ids at or below the highest opened one that are no longer open. */
const CLOSED = Symbol('closed');
/** The id of the ping sent after `goaway` (keepalive counts from 1): its pong means no `open` is still in flight. */
const DRAIN_PING_ID = 0;
/** How long a draining server waits for that pong from a client that does not answer pings. */
const DRAIN_CONFIRM_MS = 2000;

/**
 * One client connection on the server: the hello exchange, then channels
 * (PROTOCOL.md §2, §4). Channel ids are chosen by the client and strictly
 * increase; frames for an id never opened are a protocol error, frames for a
 * closed one are dropped (they crossed our `exit` on the wire).
 */
export class ServerSession {
  readonly conn: FramedConnection;
  private readonly options: SessionOptions;
  private readonly channels = new Map<number, ServerChannel>();
  private highestChannelId = 0;
  private greeted = false;
  /** `pending` while an auth message is being checked; `done` once channels may open. */
  private authState: 'none' | 'pending' | 'done';
  private draining = false;
  /** Set once the client answered the drain ping (or need not): every `open` it sent before `goaway` was read. */
  private drainConfirmed = false;
  private drainTimer: NodeJS.Timeout | null = null;
  private identity: AuthenticatedIdentity | null = null;
  private idleWaiters: Array<() => void> = [];

  constructor(conn: FramedConnection, options: SessionOptions) {
    this.conn = conn;
    this.options = options;
    this.authState = options.authenticator ? 'none' : 'done';
    this.identity = options.identity ?? null;
    conn.on('message', (message, body) => this.onMessage(message, body));
    conn.on('close', () => {
      if (this.drainTimer) clearTimeout(this.drainTimer);
      for (const channel of this.channels.values()) channel.abandon();
    });
  }

  /** True while an `auth` message is being checked (its answer comes within the grace time). */
  get authPending(): boolean {
    return this.authState === 'pending';
  }

  get openChannels(): number {
    return this.channels.size;
  }

  /**
   * Stop taking channels (server shutdown); running ones carry on. An `open` the client sent before it
   * read `goaway` may still be on the way: a ping follows the goaway, and until its pong (bounded by
   * DRAIN_CONFIRM_MS) such opens are answered with SHUTTING_DOWN rather than lost in a closed connection.
   */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    this.conn.send({ type: 'goaway', reason: 'server is shutting down' });
    if (this.authState === 'done') {
      this.conn.send({ type: 'ping', id: DRAIN_PING_ID });
      this.drainTimer = setTimeout(() => this.confirmDrain(), DRAIN_CONFIRM_MS);
      this.drainTimer.unref();
    } else {
      // Before authentication no channel can be opened.
      this.drainConfirmed = true;
    }
    if (this.idle) this.onIdle();
  }

  /** No channel open and, when draining, none on the way. */
  private get idle(): boolean {
    return this.channels.size === 0 && (!this.draining || this.drainConfirmed);
  }

  private confirmDrain(): void {
    if (this.drainConfirmed) return;
    this.drainConfirmed = true;
    if (this.drainTimer) clearTimeout(this.drainTimer);
    if (this.idle) this.onIdle();
  }

  /** Ends every running command (SIGTERM, then SIGKILL after the grace period). */
  terminateAll(): void {
    for (const channel of this.channels.values()) channel.terminate('shutdown');
  }

  /**
   * Shutdown's last step (PROTOCOL.md §6): every channel still open gets its one final frame, an `error`
   * with code SHUTTING_DOWN, and is abandoned; then the connection ends once everything queued was
   * written (never a destroy that drops queued `exit` frames). Resolves when the connection closed.
   */
  closeAfterFinalFrames(): Promise<void> {
    const open = [...this.channels];
    this.channels.clear();
    for (const [ch, channel] of open) {
      this.conn.send({
        type: 'error',
        ch,
        code: 'SHUTTING_DOWN',
        message: 'the server shut down before this channel ended',
      });
      channel.abandon();
    }
    if (this.conn.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.conn.once('close', () => resolve());
      this.conn.close();
    });
  }

  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private onMessage(message: Message, body: Buffer): void {
    if (!this.greeted) {
      if (message.type !== 'hello') throw new ProtocolError(`expected "hello" first, got "${message.type}"`);
      checkPeerVersion(message);
      this.conn.peerLimits = message.limits;
      this.greeted = true;
      const offered = this.options.capabilities ?? CAPABILITIES;
      const capabilities = this.options.authenticator ? [...offered, 'auth-ed25519', 'auth-publickey'] : offered;
      this.conn.send(buildHello(AGENT, capabilities, this.options.limits));
      return;
    }
    if (this.authState !== 'done') {
      this.authenticate(message);
      return;
    }
    switch (message.type) {
      case 'ping':
        this.conn.send({ type: 'pong', id: message.id });
        return;
      case 'pong':
        if (message.id === DRAIN_PING_ID && this.draining) this.confirmDrain();
        return;
      case 'open':
        this.open(message);
        return;
      case 'data':
      case 'eof':
      case 'window':
      case 'signal':
      case 'cancel':
      case 'seek':
      case 'done':
      case 'resize':
        this.toChannel(message, body);
        return;
      default:
        throw new ProtocolError(`a client may not send "${message.type}"`);
    }
  }

  /** PROTOCOL.md §10: before auth succeeds only `auth` and `ping` are allowed; commands never run. */
  private authenticate(message: Message): void {
    if (message.type === 'ping') {
      this.conn.send({ type: 'pong', id: message.id });
      return;
    }
    if (message.type !== 'auth' || this.authState === 'pending') {
      throw new ProtocolError(
        `"${message.type}" before authentication; a client must send "auth" first and wait for "auth-ok"`,
      );
    }
    this.authState = 'pending';
    const authenticator = this.options.authenticator as Authenticator;
    authenticator.authenticate(message).then(
      (identity) => {
        if (this.conn.closed) return;
        this.authState = 'done';
        this.identity = identity;
        this.conn.send({ type: 'auth-ok', fingerprint: identity.fingerprint });
        authenticator.onAuthenticated?.(identity);
      },
      (err: unknown) =>
        this.conn.fail(err instanceof FrameshError ? err : new ProtocolError('authentication failed', { cause: err })),
    );
  }

  private open(message: Extract<ChannelMessage, { type: 'open' }>): void {
    if (message.ch <= this.highestChannelId) {
      throw new ProtocolError(
        `channel id ${message.ch} is not above the highest id opened so far (${this.highestChannelId})`,
      );
    }
    this.highestChannelId = message.ch;
    try {
      validateOpenFields(message);
    } catch (err) {
      // PROTOCOL.md §4.1: a bad value fails this channel only; the id stays used.
      if (!(err instanceof ProtocolError)) throw err;
      this.conn.send({ type: 'error', ch: message.ch, code: err.code, message: err.message });
      return;
    }
    if (this.draining) {
      this.conn.send({ type: 'error', ch: message.ch, code: 'SHUTTING_DOWN', message: 'server is shutting down' });
      return;
    }
    if (this.channels.size >= this.options.limits.maxChannels) {
      const error = new LimitError(`too many open channels (limit ${this.options.limits.maxChannels})`);
      this.conn.send({ type: 'error', ch: message.ch, code: error.code, message: error.message });
      return;
    }
    let open = message;
    if (this.identity?.options) {
      try {
        open = restrictOpen(message, this.identity.options);
      } catch (err) {
        if (!(err instanceof RestrictedError)) throw err;
        this.conn.send({ type: 'error', ch: message.ch, code: err.code, message: err.message });
        return;
      }
    }
    const factory = this.options.channelKinds.get(open.kind);
    if (!factory) {
      this.conn.send({
        type: 'error',
        ch: message.ch,
        code: 'PROTOCOL',
        message: `this server offers no "${open.kind}" channels`,
      });
      return;
    }
    const ch = message.ch;
    const fingerprint = this.identity?.fingerprint ?? null;
    const setup = {
      conn: this.conn,
      remote: this.options.remote,
      fingerprint,
      identity: this.identity,
      endpoints: this.options.endpoints,
      onEnded: () => this.onChannelEnded(ch),
    };
    const channel = factory(open, setup);
    this.channels.set(ch, channel);
    channel.start().catch((err: unknown) => {
      const error = err instanceof FrameshError ? err : new ProtocolError('internal error in channel', { cause: err });
      this.conn.fail(error);
    });
  }

  private toChannel(message: Exclude<ChannelMessage, { type: 'open' }>, body: Buffer): void {
    const channel = this.lookup(message.ch);
    if (channel === CLOSED) return;
    switch (message.type) {
      case 'data':
        channel.onData(message.stream, body);
        return;
      case 'eof':
        channel.onEof(message.stream);
        return;
      case 'window':
        channel.onWindow(message.bytes);
        return;
      case 'signal':
        channel.onSignal(message.signal);
        return;
      case 'cancel':
        channel.terminate('cancel');
        return;
      case 'seek':
        channel.onSeek(message.offset);
        return;
      case 'done':
        channel
          .onDone(message.sha256)
          .catch((err: unknown) =>
            this.conn.fail(
              err instanceof FrameshError
                ? err
                : new ProtocolError('internal error finishing a transfer', { cause: err }),
            ),
          );
        return;
      case 'resize':
        if (!channel.onResize) throw new ProtocolError(`"resize" on a channel that has no terminal`);
        channel.onResize(message);
        return;
      default:
        throw new ProtocolError(`a client may not send "${message.type}"`);
    }
  }

  private lookup(id: number): ServerChannel | typeof CLOSED {
    const channel = this.channels.get(id);
    if (channel) return channel;
    if (id <= this.highestChannelId) return CLOSED;
    throw new FrameshError('UNKNOWN_CHANNEL', `channel ${id} was never opened on this connection`);
  }

  private onChannelEnded(id: number): void {
    this.channels.delete(id);
    if (this.idle) this.onIdle();
  }

  private onIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
    if (this.draining) this.conn.close();
  }
}
