/** How long failure counts are remembered per address. */
const FORGET_AFTER_MS = 10 * 60 * 1000;
const MAX_DELAY_MS = 5000;

/**
 * Counts failed authentications per source address and says how long to wait
 * before answering the next failure: the delay doubles per failure up to 5 s,
 * so guessing keys from one address gets slow while others are unaffected.
 */
export class AuthFailures {
  private readonly baseDelayMs: number;
  private readonly byAddress = new Map<string, { count: number; lastAt: number }>();

  constructor(baseDelayMs: number) {
    this.baseDelayMs = baseDelayMs;
  }

  /** Records a failure; returns the failure count and the delay to apply. */
  record(address: string, now: number = Date.now()): { count: number; delayMs: number } {
    const previous = this.byAddress.get(address);
    const count = previous && now - previous.lastAt < FORGET_AFTER_MS ? previous.count + 1 : 1;
    this.byAddress.set(address, { count, lastAt: now });
    if (this.byAddress.size > 10_000) this.prune(now);
    return { count, delayMs: Math.min(this.baseDelayMs * 2 ** (count - 1), MAX_DELAY_MS) };
  }

  private prune(now: number): void {
    for (const [address, entry] of this.byAddress) if (now - entry.lastAt >= FORGET_AFTER_MS) this.byAddress.delete(address);
  }
}
