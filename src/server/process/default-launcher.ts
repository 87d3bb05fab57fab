import { AdaptiveLauncher, type AdaptiveLauncherOptions } from './adaptive-launcher.js';
import { ChildProcessLauncher } from './child-process-launcher.js';
import { HelperPoolLauncher } from './helper-pool-launcher.js';
import type { ProcessLauncher } from './launcher.js';
import { loadNativeSpawn } from './native-spawn-addon.js';
import { NativeSpawnLauncher } from './native-spawn-launcher.js';

/** Values of FRAMESH_LAUNCHER (docs/ARCHITECTURE.md, "Spawning"). */
export const LAUNCHER_KINDS = ['native', 'adaptive', 'pool', 'child'] as const;
export type LauncherKind = (typeof LAUNCHER_KINDS)[number];

export interface ChosenLauncher {
  readonly launcher: ProcessLauncher;
  /** Says which launcher runs commands, and why when it is not the one asked for (serve prints it). */
  readonly description: string;
}

/**
 * The server's launcher: posix_spawn through the addon when it loads, else the AdaptiveLauncher
 * (inline fork when idle, the helper pool under load). `kind` (or FRAMESH_LAUNCHER) forces one; a forced
 * `native` that cannot load falls back with the reason in the description.
 */
export function chooseLauncher(
  kind: string | undefined = process.env.FRAMESH_LAUNCHER,
  options: AdaptiveLauncherOptions = {},
): ChosenLauncher {
  const wanted = kind === undefined || kind === '' ? 'native' : kind;
  if (!(LAUNCHER_KINDS as readonly string[]).includes(wanted)) {
    throw new Error(`unknown launcher "${wanted}" (FRAMESH_LAUNCHER): one of ${LAUNCHER_KINDS.join(', ')}`);
  }
  switch (wanted as LauncherKind) {
    case 'child':
      return forced(new ChildProcessLauncher());
    case 'pool':
      return forced(new HelperPoolLauncher(options));
    case 'adaptive':
      return forced(new AdaptiveLauncher(options));
    case 'native': {
      const load = loadNativeSpawn();
      if (load.addon) {
        const launcher = new NativeSpawnLauncher(load.addon);
        return { launcher, description: launcher.description };
      }
      const launcher = new AdaptiveLauncher(options);
      return { launcher, description: `${launcher.description} (posix_spawn addon unavailable: ${load.reason})` };
    }
  }
}

function forced(launcher: ProcessLauncher & { readonly description: string }): ChosenLauncher {
  return { launcher, description: `${launcher.description} (FRAMESH_LAUNCHER)` };
}
