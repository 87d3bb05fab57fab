import type { FramedConnection } from '../connection/framed-connection.js';
import type { FrameshError } from '../errors.js';
import { refuseDone, refuseSeek, type ServerChannel } from './server-channel.js';

/**
 * A channel refused at `open` with a channel error (LIMIT, PTY_UNAVAILABLE): its only frame is that
 * error, and frames the client sent meanwhile are dropped like late frames of an ended channel (§4).
 */
export class RefusedChannel implements ServerChannel {
  constructor(
    readonly id: number,
    private readonly conn: FramedConnection,
    private readonly error: FrameshError,
    private readonly onEnded: () => void,
  ) {}

  async start(): Promise<void> {
    this.conn.send({ type: 'error', ch: this.id, code: this.error.code, message: this.error.message });
    this.onEnded();
  }

  onData(): void {}
  onEof(): void {}
  onWindow(): void {}
  onSignal(): void {}
  onResize(): void {}
  onSeek(): void {
    refuseSeek();
  }
  onDone(): Promise<void> {
    return refuseDone();
  }
  terminate(): void {}
  abandon(): void {}
}
