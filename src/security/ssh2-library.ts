import { createRequire } from 'node:module';
import type * as Ssh2 from 'ssh2';

const require = createRequire(import.meta.url);
let loaded: typeof Ssh2 | null = null;

/**
 * The ssh2 package (key parsing, agent client), loaded on first use: it is a whole SSH
 * implementation, and a CLI start or a server that never reads an OpenSSH key should not pay for it.
 */
export function ssh2(): typeof Ssh2 {
  loaded ??= require('ssh2') as typeof Ssh2;
  return loaded;
}
