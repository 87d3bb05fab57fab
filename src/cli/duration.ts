import { InvalidArgumentError, Option } from './commander.js';

/** Largest duration in ms: Node timers (and the protocol's u32-safe fields) hold at most 2^31-1. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** What a duration flag does with 0: it means "no limit", or it makes no sense and is refused. */
export type ZeroMeaning = 'none' | 'refused';

/**
 * Parses `500ms`, `30s`, `1.5s`, `5m`, `1h`, `2d`; a bare number is SECONDS, as timeout(1) and ssh's
 * ConnectTimeout read it. Returns milliseconds (library options keep ms in their names).
 */
export function parseDurationMs(text: string, zero: ZeroMeaning): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) {
    throw new InvalidArgumentError(
      `expected a duration such as 500ms, 30s, 5m or 1h (a bare number is seconds), got "${text}"`,
    );
  }
  const amount = Number(match[1]);
  const ms = Math.round(amount * (UNIT_MS[match[2] ?? 's'] as number));
  if (amount === 0) {
    if (zero === 'refused') throw new InvalidArgumentError('must be more than 0');
    return 0;
  }
  if (ms === 0) throw new InvalidArgumentError(`"${text}" is less than 1 ms`);
  if (ms > MAX_DURATION_MS)
    throw new InvalidArgumentError(`"${text}" is more than ${MAX_DURATION_MS} ms (about 24.8 days)`);
  return ms;
}

/** A commander argument parser for a duration flag. */
export function durationOption(zero: ZeroMeaning): (text: string) => number {
  return (text) => parseDurationMs(text, zero);
}

/** A duration in words for messages: `300 ms`, `30 s`, `5 min`. */
export function describeDurationMs(ms: number): string {
  if (ms < 1000 || ms % 1000 !== 0) return `${ms} ms`;
  if (ms < 60_000 || ms % 60_000 !== 0) return `${ms / 1000} s`;
  if (ms < 3_600_000 || ms % 3_600_000 !== 0) return `${ms / 60_000} min`;
  return `${ms / 3_600_000} h`;
}

/**
 * An option taking a duration (`--timeout <duration>`): parsed to ms, its default shown with a unit
 * so that `(default: 10s)` in --help cannot be read as seconds of something else.
 */
export function durationFlag(flags: string, description: string, zero: ZeroMeaning, defaultMs?: number): Option {
  const option = new Option(flags, `${description}${zero === 'none' ? '; 0 for none' : ''}`).argParser(
    durationOption(zero),
  );
  return defaultMs === undefined
    ? option
    : option.default(defaultMs, defaultMs === 0 ? '0 (none)' : describeDurationMs(defaultMs).replace(' ', ''));
}
