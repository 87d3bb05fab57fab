/**
 * The hosts a many-hosts command runs on, from its flags: -H, --hosts FILE and --limit, resolved against
 * the client configuration file (-F, else $FRAMESH_HOME/config); command-line connection flags win.
 */
import path from 'node:path';
import { loadClientConfig } from '../fanout/client-config.js';
import { loadInventory } from '../fanout/inventory.js';
import { selectHosts, type FanoutTarget } from '../fanout/host-selection.js';
import type { HostSettings } from '../fanout/host-settings.js';
import type { ConnectionSettings } from './settings.js';
import { homeFile, resolveHome } from '../security/framesh-home.js';
import { DEFAULT_PORT } from '../protocol/constants.js';

/** Which hosts, and the connection flags given for all of them (fanout-options.ts, connection-options.ts). */
export interface FanoutSelectionFlags {
  hostList?: string[];
  hosts?: string;
  limit?: string;
  config?: string;
  parallel: number;
  retries: number;
  failFast?: boolean;
  json?: boolean;
  summaryOnly?: boolean;
  timeout?: number;
  connectTimeout?: number;
  insecure?: boolean;
  acceptNew?: boolean;
  fingerprint?: string;
  identity?: string;
  /** -p/-P: the port of a host that names none (HOST:PORT, inventory or config win). */
  port?: number;
  /** -o Key=Value settings, for every host. */
  option?: ConnectionSettings;
}

/** exec -H's flags. */
export interface FanoutFlags extends FanoutSelectionFlags {
  group?: boolean;
  stdin: boolean;
  forwardStdin?: boolean;
  cwd?: string;
  login?: boolean;
}

/** Hosts from the flags, or a message and exit status 2 (a usage problem) when they cannot be resolved. */
export function targetsFromFlags(flags: FanoutSelectionFlags): FanoutTarget[] {
  const config = loadClientConfig(flags.config ?? homeFile(resolveHome(), 'config'), flags.config !== undefined);
  // -o settings apply to every host, below the flags; its Port is only the default (HOST:PORT, inventory and
  // config say where each host is), and a HostName cannot be every host's.
  const { port: optionPort, hostName: _hostName, ...optionSettings } = flags.option ?? {};
  const overrides: HostSettings = {
    ...optionSettings,
    ...(flags.identity !== undefined && { identityFile: flags.identity }),
    ...(flags.fingerprint !== undefined && { fingerprint: flags.fingerprint }),
    ...(flags.acceptNew && { strictHostKeyChecking: 'accept-new' as const }),
    ...(flags.insecure && { insecure: true }),
  };
  return selectHosts({
    ...(flags.hostList && { hostList: flags.hostList }),
    ...(flags.hosts !== undefined && { inventory: loadInventory(path.resolve(flags.hosts)) }),
    ...(flags.limit !== undefined && { limit: flags.limit }),
    config,
    overrides,
    defaultPort: flags.port ?? optionPort ?? DEFAULT_PORT,
  });
}
