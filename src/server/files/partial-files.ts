import { randomBytes } from 'node:crypto';
import path from 'node:path';

/**
 * Names of in-progress files. A target's resumable partial is
 * `.NAME.framesh-part` beside it; while one transfer holds it, a concurrent
 * transfer to the same target writes a private `.NAME.framesh-part-RANDOM`
 * instead (and does not resume), so two writers never share bytes and the
 * last rename wins with one whole file.
 */
export class PartialFiles {
  private readonly held = new Set<string>();

  /** Claims the partial path for `target`; release it when the transfer ends. */
  claim(target: string): { path: string; resumable: boolean; release: () => void } {
    const shared = partialPathFor(target);
    const name = this.held.has(shared) ? `${shared}-${randomBytes(6).toString('hex')}` : shared;
    this.held.add(name);
    // Once only: a second release must not free the name after another transfer claimed it again.
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.held.delete(name);
    };
    return { path: name, resumable: name === shared, release };
  }

  /** Whether a transfer is writing this partial now (the stale-partial sweep leaves it alone). */
  isHeld(partialPath: string): boolean {
    return this.held.has(partialPath);
  }
}

/** Names of framesh partial files (`.NAME.framesh-part` and the private `-HEX` form) are reserved. */
const PARTIAL_NAME = /^\..+\.framesh-part(-[0-9a-f]+)?$/s;

export function isPartialName(name: string): boolean {
  return PARTIAL_NAME.test(name);
}

export function partialPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.framesh-part`);
}
