import os from 'node:os';
import type { ExitResult } from '../client/exec-call.js';
import { FrameshError } from '../errors.js';

/** Exit status when framesh itself failed (connection, protocol), as ssh uses 255. */
export const EXIT_CLIENT_FAILURE = 255;
/** Exit status when the command hit its timeout, as timeout(1) uses. */
export const EXIT_TIMEOUT = 124;

/** Remote exit code, or 128+N for signal N, as a POSIX shell reports it. */
export function exitStatusOf(result: ExitResult): number {
  if (result.reason === 'timeout') return EXIT_TIMEOUT;
  if (result.code !== null) return result.code;
  const number = result.signal ? os.constants.signals[result.signal as NodeJS.Signals] : undefined;
  return number ? 128 + number : EXIT_CLIENT_FAILURE;
}

/** One line for stderr: the message and its stable code. */
export function describeError(err: unknown): string {
  if (err instanceof FrameshError) return `framesh: ${err.message} (${err.code})`;
  if (err instanceof Error) return `framesh: ${err.message}`;
  return `framesh: ${String(err)}`;
}
