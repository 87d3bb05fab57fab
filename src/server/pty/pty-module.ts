import { createRequire } from 'node:module';
import type * as NodePty from 'node-pty';

export type PtyModule = typeof NodePty;

const require = createRequire(import.meta.url);
const loaded = new Map<string, PtyModule | null>();

/**
 * node-pty is an optional dependency with a native addon built at install. Loading it can fail (no
 * compiler on that machine, another platform); then terminals are unavailable (PROTOCOL.md §11:
 * PTY_UNAVAILABLE) and everything else keeps working. `name` is "node-pty" except in the test that
 * forces the failure. Loaded on the first terminal, not at server start.
 */
export function loadPtyModule(name: string): PtyModule | null {
  if (loaded.has(name)) return loaded.get(name) ?? null;
  let module: PtyModule | null;
  try {
    module = require(name) as PtyModule;
    if (typeof module.spawn !== 'function') module = null;
  } catch {
    module = null;
  }
  loaded.set(name, module);
  return module;
}
