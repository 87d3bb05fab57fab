/** How long failure counts are remembered per address. */
const FORGET_AFTER_MS = 10 * 60 * 1000;
const MAX_DELAY_MS = 5000;
/** Most addresses remembered; the oldest are forgotten first beyond this, so memory stays bounded. */
const MAX_ADDRESSES = 10_000;

/** One authentication attempt, counted as failed from the moment it arrives until it succeeds. */
export interface AuthAttempt {
  /** Failures from this address, this attempt included. */
  readonly count: number;
  /** Wait this long before checking the proof (0 when the address has no earlier failures). */
  readonly delayBeforeVerifyMs: number;
  /** Total time from arrival to a failure answer: the delay doubles per failure up to 5 s. */
  readonly failureAnswerMs: number;
  /** The proof was good: this attempt no longer counts as a failure. */
  succeeded(): void;
}

/**
 * Counts failed authentications per source address (PROTOCOL.md §10.2, docs/SECURITY.md). An attempt
 * counts as a failure as soon as it arrives, so a client that hangs up before the answer (to learn
 * "failure" from the silence) is counted too; only a success takes it back. The proof of an address
 * with earlier failures is checked only after a delay, so even a success is not answered at once.
 */
export class AuthFailures {
  private readonly baseDelayMs: number;
  private readonly byAddress = new Map<string, { count: number; lastAt: number }>();

  constructor(baseDelayMs: number) {
    this.baseDelayMs = baseDelayMs;
  }

  /** Records an attempt from `address` as failed until its `succeeded()` is called. */
  begin(address: string, now: number = Date.now()): AuthAttempt {
    const previous = this.byAddress.get(address);
    const prior = previous && now - previous.lastAt < FORGET_AFTER_MS ? previous.count : 0;
    const count = prior + 1;
    this.byAddress.delete(address);
    this.byAddress.set(address, { count, lastAt: now });
    if (this.byAddress.size > MAX_ADDRESSES) this.prune(now);
    let settled = false;
    return {
      count,
      delayBeforeVerifyMs: prior === 0 ? 0 : this.delayFor(prior),
      failureAnswerMs: this.delayFor(count),
      succeeded: () => {
        if (settled) return;
        settled = true;
        const entry = this.byAddress.get(address);
        if (entry && entry.count > 0) entry.count -= 1;
      },
    };
  }

  /** Failures remembered for an address. */
  countOf(address: string, now: number = Date.now()): number {
    const entry = this.byAddress.get(address);
    return entry && now - entry.lastAt < FORGET_AFTER_MS ? entry.count : 0;
  }

  private delayFor(failures: number): number {
    return Math.min(this.baseDelayMs * 2 ** (failures - 1), MAX_DELAY_MS);
  }

  private prune(now: number): void {
    for (const [address, entry] of this.byAddress)
      if (now - entry.lastAt >= FORGET_AFTER_MS) this.byAddress.delete(address);
    // Map order is insertion order and begin() re-inserts, so the first keys are the least recent.
    for (const address of this.byAddress.keys()) {
      if (this.byAddress.size <= MAX_ADDRESSES) break;
      this.byAddress.delete(address);
    }
  }
}
