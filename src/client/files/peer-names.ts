import { FrameshError } from '../../errors.js';

/** The code for what a server sent back that the client refuses to act on (docs/ERRORS.md). */
export type PeerNameErrorCode = 'UNSAFE_NAME';

/**
 * A name or listing from the server that would put a file outside the tree the user asked for (scp's
 * CVE-2019-6111): a path separator, `..`, `.`, NUL, an empty name, or the same name twice.
 */
export class PeerNameError extends FrameshError {
  declare readonly code: PeerNameErrorCode;

  constructor(message: string) {
    super('UNSAFE_NAME', message);
  }
}

/**
 * Checks one entry name of a remote directory listing before it becomes part of a local path. A name
 * is one path component: never a separator (either kind, so a Windows path cannot climb either), never
 * `.`/`..`, never empty, never NUL.
 */
export function checkEntryName(name: unknown, listedDir: string): string {
  const shown = JSON.stringify(name);
  if (typeof name !== 'string') throw new PeerNameError(`the server listed a non-string name in ${listedDir}`);
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new PeerNameError(
      `the server listed ${shown} in ${listedDir}; refusing a name that is not one path component`,
    );
  }
  return name;
}

/** Refuses a listing that names one entry twice (a server swapping a file for a directory mid-tree). */
export function checkUniqueNames(names: readonly string[], listedDir: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new PeerNameError(`the server listed ${JSON.stringify(name)} twice in ${listedDir}`);
    seen.add(name);
  }
}

/**
 * The permission bits to give a file or directory made from what the peer sent: never setuid, setgid or
 * sticky, and less this process's umask unless the user asked to preserve modes (as scp does).
 */
export function localMode(peerMode: number, preserve: boolean): number {
  const bits = peerMode & 0o777;
  return preserve ? bits : bits & ~currentUmask();
}

let cachedUmask: number | undefined;

/** process.umask() sets and returns; reading it once is enough since framesh never changes it. */
function currentUmask(): number {
  if (cachedUmask === undefined) {
    try {
      const mask = process.umask(0o022);
      process.umask(mask);
      cachedUmask = mask;
    } catch {
      // Worker threads may not set the umask: assume the common 022 rather than fail a download.
      cachedUmask = 0o022;
    }
  }
  return cachedUmask;
}
