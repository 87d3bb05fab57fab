import { InvalidOptionError } from './errors.js';

/**
 * The longest delay a Node timer holds: setTimeout() with more than 2^31-1 ms fires at once (with a
 * warning), so a "24 days and up" timeout would end a command immediately. Every duration framesh
 * accepts, from the wire, a flag or the library, is checked against it (issue 9, defect 12).
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Returns `value` if it is an integer number of ms in [min, MAX_TIMER_MS]; throws INVALID_OPTION naming
 * the option otherwise.
 */
export function checkTimerMs(name: string, value: number, min = 0): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_TIMER_MS) {
    throw new InvalidOptionError(
      `${name} must be an integer from ${min} to ${MAX_TIMER_MS} ms (about 24.8 days), not ${String(value)}`,
    );
  }
  return value;
}

/** Like checkTimerMs for an optional value: undefined stays undefined. */
export function checkOptionalTimerMs(name: string, value: number | undefined, min = 0): number | undefined {
  return value === undefined ? undefined : checkTimerMs(name, value, min);
}
