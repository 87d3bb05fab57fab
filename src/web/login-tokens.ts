import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A login token's life (issue 15: a login URL is good for one minute). */
export const DEFAULT_TOKEN_LIFETIME_MS = 60_000;
/** 32 random bytes: guessing one within its minute is out of reach (docs/SECURITY.md, "Browser terminal"). */
const TOKEN_BYTES = 32;
/** At most this many unredeemed tokens are held; minting one more forgets the oldest. */
const MAX_PENDING_TOKENS = 1000;

interface Pending<T> {
  readonly digest: Buffer;
  readonly expiresAtMs: number;
  readonly owner: T;
}

/**
 * One-time login tokens (`framesh web-login`): each is random, good once, for `lifetimeMs`. Only the
 * SHA-256 of a token is kept, so a memory dump of the server does not hand out live URLs, and the
 * comparison runs in constant time over the digests.
 */
export class LoginTokens<T> {
  private readonly pending = new Map<string, Pending<T>>();

  constructor(
    private readonly lifetimeMs: number = DEFAULT_TOKEN_LIFETIME_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new token for `owner` (the key that asked), in base64url; `expiresAtMs` for the caller to show. */
  mint(owner: T): { token: string; expiresAtMs: number } {
    this.sweep();
    while (this.pending.size >= MAX_PENDING_TOKENS) this.pending.delete(this.pending.keys().next().value as string);
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const digest = digestOf(token);
    const expiresAtMs = this.now() + this.lifetimeMs;
    this.pending.set(digest.toString('hex'), { digest, expiresAtMs, owner });
    return { token, expiresAtMs };
  }

  /** The owner of `token` when it is known and unexpired; it is used up either way (single use). */
  redeem(token: string): T | null {
    const digest = digestOf(token);
    const key = digest.toString('hex');
    const entry = this.pending.get(key);
    if (!entry) return null;
    this.pending.delete(key);
    if (!timingSafeEqual(entry.digest, digest)) return null;
    return entry.expiresAtMs > this.now() ? entry.owner : null;
  }

  get size(): number {
    return this.pending.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.pending) if (entry.expiresAtMs <= now) this.pending.delete(key);
  }
}

function digestOf(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
