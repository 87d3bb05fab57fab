import { ChildProcessLauncher } from './child-process-launcher.js';
import { HelperPoolLauncher, type HelperPoolOptions } from './helper-pool-launcher.js';
import type { LaunchSpec, ProcessLauncher, RunningProcess } from './launcher.js';

/** Above this RSS a fork from the server costs more than a trip through a helper (`npm run bench -- roundtrip concurrency` compares). */
export const DEFAULT_INLINE_MAX_RSS_BYTES = 96 * 1024 * 1024;

export interface AdaptiveLauncherOptions extends HelperPoolOptions {
  /** Fork inline only while the server's RSS is below this (default 96 MiB). */
  readonly inlineMaxRssBytes?: number;
}

/**
 * The server's default launcher (docs/ARCHITECTURE.md, "Spawning"). When the
 * server is idle (no command of ours running) and small, it forks the command
 * itself: one fork blocks the loop for about a millisecond, less than the trip
 * through a helper adds, so a lone command starts fastest. As soon as other
 * commands run, or the server has grown, launches go to the helper pool, so
 * forks never stall the connections being served.
 */
export class AdaptiveLauncher implements ProcessLauncher {
  readonly description = 'child_process.spawn: inline when idle, a helper pool under load';
  private readonly inline = new ChildProcessLauncher();
  private readonly pool: HelperPoolLauncher;
  private readonly inlineMaxRssBytes: number;
  private running = 0;

  constructor(options: AdaptiveLauncherOptions = {}) {
    this.pool = new HelperPoolLauncher(options);
    this.inlineMaxRssBytes = options.inlineMaxRssBytes ?? DEFAULT_INLINE_MAX_RSS_BYTES;
  }

  async launch(spec: LaunchSpec): Promise<RunningProcess> {
    const useInline = this.running === 0 && process.memoryUsage.rss() < this.inlineMaxRssBytes;
    this.running++;
    try {
      const proc = await (useInline ? this.inline : this.pool).launch(spec);
      proc.exited.then(
        () => this.running--,
        () => this.running--,
      );
      return proc;
    } catch (err) {
      this.running--;
      throw err;
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.inline.close(), this.pool.close()]);
  }
}
