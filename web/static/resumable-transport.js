// The page's byte stream to the server (docs/PROTOCOL.md §12.3, "Resuming"): it survives a dropped
// WebSocket. Every byte sent is kept until the server acknowledges it; after a drop the page opens a new
// socket for the same stream id, and each side resends what the other had not received — so the
// framesh session, its channels and the terminal carry on as if nothing happened.

/** Waits before each reconnection attempt; after the last the transport gives up. */
const RECONNECT_DELAYS_MS = [100, 250, 500, 1000, 2000, 4000, 8000, 8000];
const ACK_INTERVAL_MS = 200;
const ACK_EVERY_BYTES = 64 * 1024;
/** Close codes of §12.3: the web session ended; the stream is gone (the page must start over). */
export const CLOSE_SESSION_ENDED = 4401;
export const CLOSE_STREAM_UNKNOWN = 4404;

export class ResumableTransport {
  /** @param {string} url the ws:// or wss:// URL of /ws */
  constructor(url) {
    this.url = url;
    this.streamId = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(
      '',
    );
    this.unacked = [];
    this.unackedStart = 0;
    this.unackedBytes = 0;
    this.received = 0;
    this.ackedToServer = 0;
    this.ackTimer = null;
    this.ws = null;
    this.live = false;
    this.attempts = 0;
    this.finished = false;
    /** Stream bytes from the server, in order, each exactly once. */
    this.onbytes = () => {};
    /** 'open' (first socket), 'reconnecting' (attempt n), 'resumed', then at most one end: 'ended' | 'lost' | 'failed' | 'closed'. */
    this.onstate = () => {};
    this.connect();
  }

  /** Bytes not yet acknowledged by the server: senders of bulk data wait while it is high. */
  get pendingBytes() {
    return this.unackedBytes + (this.ws?.bufferedAmount ?? 0);
  }

  send(bytes) {
    if (this.finished) return false;
    this.unacked.push(bytes);
    this.unackedBytes += bytes.length;
    if (this.live) this.ws.send(bytes);
    return true;
  }

  close() {
    this.end('closed');
    this.ws?.close(1000, 'closed by the page');
  }

  connect() {
    const ws = new WebSocket(`${this.url}?stream=${this.streamId}&received=${this.received}`);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.addEventListener('message', (event) => {
      if (this.ws !== ws) return;
      if (typeof event.data === 'string') this.control(JSON.parse(event.data));
      else this.fromServer(new Uint8Array(event.data));
    });
    ws.addEventListener('close', (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      const wasLive = this.live;
      this.live = false;
      if (this.finished) return;
      if (event.code === CLOSE_SESSION_ENDED) return this.end('ended');
      if (event.code === CLOSE_STREAM_UNKNOWN) return this.end('lost');
      // A normal close after the session ended its connection (exit, shutdown) is not a drop.
      if (event.code === 1000 && wasLive) return this.end('closed');
      void this.reconnect();
    });
  }

  control(message) {
    if (message.type === 'resume') {
      // The server has `received` of our bytes: forget those, resend the rest in order.
      this.trim(message.received);
      const first = this.attempts === 0 && this.received === 0 && !this.everLive;
      this.live = true;
      this.everLive = true;
      this.attempts = 0;
      for (const chunk of this.unacked) this.ws.send(chunk);
      this.onstate(first ? 'open' : 'resumed');
    } else if (message.type === 'ack') this.trim(message.received);
  }

  fromServer(bytes) {
    this.received += bytes.length;
    this.onbytes(bytes);
    if (this.received - this.ackedToServer >= ACK_EVERY_BYTES) this.ack();
    else this.ackTimer ??= setTimeout(() => this.ack(), ACK_INTERVAL_MS);
  }

  ack() {
    clearTimeout(this.ackTimer);
    this.ackTimer = null;
    if (!this.live || this.received === this.ackedToServer) return;
    this.ackedToServer = this.received;
    this.ws.send(JSON.stringify({ type: 'ack', received: this.received }));
  }

  trim(offset) {
    let drop = offset - this.unackedStart;
    while (drop > 0 && this.unacked.length > 0) {
      const head = this.unacked[0];
      const n = Math.min(head.length, drop);
      if (n === head.length) this.unacked.shift();
      else this.unacked[0] = head.subarray(n);
      this.unackedBytes -= n;
      this.unackedStart += n;
      drop -= n;
    }
  }

  /** After a drop: is the web session still good (GET /session)? Then try again, a few times. */
  async reconnect() {
    if (this.attempts >= RECONNECT_DELAYS_MS.length) return this.end('failed');
    const delay = RECONNECT_DELAYS_MS[this.attempts++];
    this.onstate('reconnecting', this.attempts, RECONNECT_DELAYS_MS.length);
    await new Promise((r) => setTimeout(r, delay));
    let answer;
    try {
      answer = await fetch('/session', { cache: 'no-store', credentials: 'same-origin' });
    } catch {
      return this.reconnect();
    }
    if (answer.status === 401) return this.end('ended');
    this.connect();
  }

  end(state) {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.ackTimer);
    this.onstate(state);
  }
}
