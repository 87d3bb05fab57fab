import { MAX_WINDOW_BYTES } from './constants.js';
import { LimitError, ProtocolError } from '../errors.js';

/**
 * Credit the peer has granted us for sending on one channel (PROTOCOL.md §5).
 * The sender may only send `available` bytes; `window` frames add credit.
 */
export class SendWindow {
  private credit: number;

  constructor(initial: number) {
    this.credit = initial;
  }

  get available(): number {
    return this.credit;
  }

  consume(bytes: number): void {
    if (bytes > this.credit) throw new Error(`internal: sending ${bytes} bytes with ${this.credit} of credit`);
    this.credit -= bytes;
  }

  grant(bytes: number): void {
    // PROTOCOL.md §5: credit beyond 2^31-1 is a protocol error, as in HTTP/2.
    if (this.credit + bytes > MAX_WINDOW_BYTES) throw new ProtocolError('window update pushes the window past 2^31-1');
    this.credit += bytes;
  }
}

/**
 * Credit we granted the peer on one channel. Every received byte is checked
 * against it; bytes are returned to the peer once the local consumer has taken
 * them, in batches of at least half the window so updates stay rare.
 */
export class ReceiveWindow {
  readonly size: number;
  private outstanding: number;
  private consumedUnacked = 0;

  constructor(size: number) {
    this.size = size;
    this.outstanding = size;
  }

  /** Records received bytes; a sender that overruns the window is a protocol error. */
  receive(bytes: number): void {
    if (bytes > this.outstanding) {
      throw new LimitError(`peer sent ${bytes} bytes with only ${this.outstanding} bytes of window left`);
    }
    this.outstanding -= bytes;
  }

  /**
   * Marks bytes as taken by the local consumer. Returns the credit to send to
   * the peer now, or 0 to wait for more.
   */
  consume(bytes: number): number {
    this.consumedUnacked += bytes;
    if (this.consumedUnacked < this.size / 2 && this.outstanding > 0) return 0;
    const grant = this.consumedUnacked;
    this.consumedUnacked = 0;
    this.outstanding += grant;
    return grant;
  }
}
