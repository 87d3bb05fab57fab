/** How long failure counts are remembered per address. */
const FORGET_AFTER_MS = 10 * 60 * 1000;
const MAX_DELAY_MS = 5000;
/** Most addresses remembered; the oldest are forgotten first beyond this, so memory stays bounded. */
const MAX_ADDRESSES = 10_000;

/** One authentication attempt, from its arrival until it is settled as failed or succeeded. */
export interface AuthAttempt {
  /** Wait this long before checking the proof (0 when the address has no earlier failures). */
  readonly delayBeforeVerifyMs: number;
  /** Total time from arrival to a failure answer: the delay doubles per failure up to 5 s. */
  readonly failureAnswerMs: number;
  /**
   * The proof was refused, or the client closed before the answer: counted against the address.
   * Returns the address's failures, this one included. Settles the attempt; later calls change nothing.
   */
  failed(): number;
  /** The proof was good: nothing is counted. Settles the attempt. */
  succeeded(): void;
}

/**
 * Counts failed authentications per source address (PROTOCOL.md §10.2, docs/SECURITY.md). A refused
 * proof counts, and so does one whose client hangs up before the answer (to learn "failure" from the
 * silence); attempts still being checked do not, so clients logging in in parallel from one address
 * (a fan-out, a CI runner) do not delay each other. The proof of an address with failures behind it
 * is checked only after a delay, so even a success is not answered at once. How many attempts one
 * address can have in flight is bounded by the per-source startup limit, not here.
 */
export class AuthFailures {
  private readonly baseDelayMs: number;
  private readonly byAddress = new Map<string, { count: number; lastAt: number }>();

  constructor(baseDelayMs: number) {
    this.baseDelayMs = baseDelayMs;
  }

  /** Starts an attempt from `address`; it counts only once its `failed()` is called. */
  begin(address: string, now: number = Date.now()): AuthAttempt {
    const prior = this.countOf(address, now);
    let settled = false;
    return {
      delayBeforeVerifyMs: prior === 0 ? 0 : this.delayFor(prior),
      failureAnswerMs: this.delayFor(prior + 1),
      failed: () => {
        if (settled) return this.countOf(address);
        settled = true;
        return this.record(address, Date.now());
      },
      succeeded: () => {
        settled = true;
      },
    };
  }

  /** Failures remembered for an address. */
  countOf(address: string, now: number = Date.now()): number {
    const entry = this.byAddress.get(address);
    return entry && now - entry.lastAt < FORGET_AFTER_MS ? entry.count : 0;
  }

  private record(address: string, now: number): number {
    const count = this.countOf(address, now) + 1;
    // Re-inserted, so Map order stays least recent first (see prune).
    this.byAddress.delete(address);
    this.byAddress.set(address, { count, lastAt: now });
    if (this.byAddress.size > MAX_ADDRESSES) this.prune(now);
    return count;
  }

  private delayFor(failures: number): number {
    return Math.min(this.baseDelayMs * 2 ** (failures - 1), MAX_DELAY_MS);
  }

  private prune(now: number): void {
    for (const [address, entry] of this.byAddress)
      if (now - entry.lastAt >= FORGET_AFTER_MS) this.byAddress.delete(address);
    for (const address of this.byAddress.keys()) {
      if (this.byAddress.size <= MAX_ADDRESSES) break;
      this.byAddress.delete(address);
    }
  }
}
