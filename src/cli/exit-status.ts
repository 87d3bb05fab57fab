import os from 'node:os';
import type { ExitResult } from '../client/exec-call.js';
import { FrameshError } from '../errors.js';

/** Exit status of a usage error (unknown option, bad value, missing argument), in every command, as most tools use. */
export const EXIT_USAGE = 2;
/** Exit status when the command hit its timeout, as timeout(1) uses. */
export const EXIT_TIMEOUT = 124;
/** The program exists but could not be run (permission denied), as a shell reports it. */
export const EXIT_CANNOT_EXECUTE = 126;
/** The program does not exist, as a shell reports it. */
export const EXIT_NOT_FOUND = 127;
/** 128 + SIGPIPE: stdout or stderr was closed early (`| head`), what a shell reports for such a writer. */
export const EXIT_OUTPUT_CLOSED = 141;
/** Exit status when framesh itself failed (connection, protocol, server shutdown), as ssh uses 255. */
export const EXIT_CLIENT_FAILURE = 255;

/** Remote exit code, or 128+N for signal N, as a POSIX shell reports it. */
export function exitStatusOf(result: ExitResult): number {
  if (result.reason === 'timeout') return EXIT_TIMEOUT;
  // The server ended the command for its own reasons: that is framesh's failure, not the command's status.
  if (result.reason === 'shutdown') return EXIT_CLIENT_FAILURE;
  if (result.code !== null) return result.code;
  const number = result.signal ? os.constants.signals[result.signal as NodeJS.Signals] : undefined;
  return number ? 128 + number : EXIT_CLIENT_FAILURE;
}

/** Exit status for a command that could not start or failed: 127/126 as a shell gives, else 255. */
export function exitStatusOfFailure(err: unknown): number {
  if (err instanceof FrameshError && err.code === 'ENOENT_COMMAND') return EXIT_NOT_FOUND;
  if (err instanceof FrameshError && err.code === 'EACCES') return EXIT_CANNOT_EXECUTE;
  return EXIT_CLIENT_FAILURE;
}

/** One line for stderr: the message and its stable code. */
export function describeError(err: unknown): string {
  if (err instanceof FrameshError) return `framesh: ${err.message} (${err.code})`;
  if (err instanceof Error) return `framesh: ${err.message}`;
  return `framesh: ${String(err)}`;
}

/** The rows every command shares, for the exit status table at the end of each --help. */
const COMMON_ROWS: ReadonlyArray<readonly [string, string]> = [
  ['0', 'success'],
  ['2', 'usage error: unknown option, bad value, missing argument'],
];

/** `Exit status:` help text: the command's own rows between the shared ones, sorted by status. */
export function exitStatusHelp(rows: ReadonlyArray<readonly [string, string]>): string {
  const all = [...COMMON_ROWS, ...rows].sort((a, b) => Number.parseInt(a[0], 10) - Number.parseInt(b[0], 10));
  return `\nExit status:\n${all.map(([status, meaning]) => `  ${status.padEnd(7)} ${meaning}`).join('\n')}\n`;
}
