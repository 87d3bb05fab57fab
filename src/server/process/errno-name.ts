import os from 'node:os';

const ERRNO_NAMES = new Map(Object.entries(os.constants.errno).map(([name, value]) => [value, name]));

/** The name Node gives an errno the addon reports as a number (ENOENT for 2), as in its own errors' `code`. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `E${errno}`;
}
