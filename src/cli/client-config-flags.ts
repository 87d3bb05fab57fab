/**
 * Host aliases for single-host commands: `framesh exec web1 -- uptime` connects where
 * `$FRAMESH_HOME/config` (or -F FILE) says web1 is, with its settings. Flags given on the command
 * line win over the file (as ssh's do); a port written in HOST:PORT wins over `Port`.
 */
import { statSync } from 'node:fs';
import { homeFile, resolveHome } from '../security/framesh-home.js';
import { DEFAULT_PORT } from '../protocol/constants.js';
import type { Target } from './target.js';

/** The flags a config file can fill in (connection-options.ts's ConnectionFlags has them all). */
export interface ConfigurableFlags {
  readonly identity?: string;
  readonly fingerprint?: string;
  readonly acceptNew?: boolean;
  readonly insecure?: boolean;
  readonly connectTimeout?: number;
  /** -F: the client configuration file. */
  readonly config?: string;
}

export async function withClientConfig<F extends ConfigurableFlags>(
  target: Target,
  flags: F,
): Promise<{ target: Target; flags: F }> {
  const file = flags.config ?? homeFile(resolveHome(), 'config');
  // No default file (the usual case): nothing to apply, and the config parser is not even loaded.
  if (flags.config === undefined && !exists(file)) return { target, flags };
  const { loadClientConfig } = await import('../fanout/client-config.js');
  const { acceptsNew } = await import('../fanout/host-settings.js');
  const s = loadClientConfig(file, flags.config !== undefined).settingsFor(target.host);
  return {
    target: {
      host: s.hostName ?? target.host,
      port: target.port !== DEFAULT_PORT ? target.port : (s.port ?? DEFAULT_PORT),
    },
    flags: {
      ...flags,
      ...(flags.identity === undefined && s.identityFile !== undefined && { identity: s.identityFile }),
      ...(flags.fingerprint === undefined && s.fingerprint !== undefined && { fingerprint: s.fingerprint }),
      ...(!flags.acceptNew && acceptsNew(s) && { acceptNew: true }),
      ...(!flags.insecure && s.insecure && { insecure: true }),
      ...(flags.connectTimeout === undefined &&
        s.connectTimeoutMs !== undefined && { connectTimeout: s.connectTimeoutMs }),
    },
  };
}

/** False only when nothing is at `file` (ENOENT); any other trouble is left for loadClientConfig to report. */
function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}
