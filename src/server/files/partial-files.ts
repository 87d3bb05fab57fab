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
    if (!this.held.has(shared)) {
      this.held.add(shared);
      return { path: shared, resumable: true, release: () => this.held.delete(shared) };
    }
    const unique = `${shared}-${randomBytes(6).toString('hex')}`;
    return { path: unique, resumable: false, release: () => {} };
  }
}

export function partialPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.framesh-part`);
}
