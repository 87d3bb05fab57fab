import { InvalidOptionError } from '../errors.js';
import { normaliseAddress } from '../security/address-patterns.js';

/**
 * OpenSSH's MaxStartups `start:rate:full`: below `start` unauthenticated connections every new one is
 * admitted; from `start` on a new one is dropped with probability `rate`% rising linearly to 100% at
 * `full`. A single number N means N:100:N (refuse everything beyond N).
 */
export interface StartupsPolicy {
  readonly start: number;
  readonly rate: number;
  readonly full: number;
}

export const DEFAULT_MAX_STARTUPS: StartupsPolicy = { start: 10, rate: 30, full: 100 };
/** Most unauthenticated connections from one address (OpenSSH's PerSourceMaxStartups; 0 for no limit). */
export const DEFAULT_PER_SOURCE_MAX_STARTUPS = 5;

/** `"10:30:100"`, `"10"`, a number or a policy: the policy, or an INVALID_OPTION error saying what is wrong. */
export function parseStartupsPolicy(value: string | number | StartupsPolicy): StartupsPolicy {
  if (typeof value === 'object') return checked(value, JSON.stringify(value));
  const text = String(value);
  const parts = text.split(':');
  if ((parts.length !== 1 && parts.length !== 3) || !parts.every((p) => /^\d{1,9}$/.test(p))) {
    throw new InvalidOptionError(
      `max-startups must be N or start:rate:full (like 10:30:100), not ${JSON.stringify(text)}`,
    );
  }
  const [start, rate, full] = parts.map(Number) as [number, number?, number?];
  return checked(rate === undefined ? { start, rate: 100, full: start } : { start, rate, full: full as number }, text);
}

function checked(policy: StartupsPolicy, text: string): StartupsPolicy {
  const { start, rate, full } = policy;
  if (
    ![start, rate, full].every((n) => Number.isSafeInteger(n) && n >= 0) ||
    rate > 100 ||
    full < start ||
    (start === 0 && full === 0 && text !== '0')
  ) {
    throw new InvalidOptionError(`max-startups ${text}: need start <= full and a rate of 0-100 (percent)`);
  }
  return policy;
}

/**
 * Whether to drop a new connection when `startups` others have not authenticated yet, exactly as sshd's
 * drop_connection() decides. `random` returns an integer in [0, 100).
 */
export function shouldDrop(startups: number, policy: StartupsPolicy, random: () => number): boolean {
  if (startups >= policy.full) return true;
  if (startups < policy.start) return false;
  const span = policy.full - policy.start;
  const p = policy.rate + ((100 - policy.rate) * (startups - policy.start)) / span;
  return random() < p;
}

/** Counts unauthenticated connections per source address. */
export class SourceCounts {
  private readonly counts = new Map<string, number>();

  /** The key a connection from `address` is counted under (IPv4-mapped IPv6 counts as IPv4). */
  static sourceOf(address: string | undefined): string {
    return normaliseAddress(address ?? 'unknown');
  }

  count(source: string): number {
    return this.counts.get(source) ?? 0;
  }

  add(source: string): void {
    this.counts.set(source, this.count(source) + 1);
  }

  remove(source: string): void {
    const left = this.count(source) - 1;
    if (left > 0) this.counts.set(source, left);
    else this.counts.delete(source);
  }
}
