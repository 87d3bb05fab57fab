import os from 'node:os';
import { ChildProcessLauncher } from './child-process-launcher.js';
import type { LaunchSpec, ProcessLauncher, RunningProcess } from './launcher.js';
import { HelperUnavailableError, SpawnHelperProcess } from './spawn-helper-process.js';
import { StdioRendezvous } from './stdio-rendezvous.js';

export interface HelperPoolOptions {
  /** Number of helper processes (default: one per core, at least 2). */
  readonly size?: number;
}

/**
 * Starts commands through a pool of small helper processes that fork them
 * (see docs/ARCHITECTURE.md, "Spawning"). Node's spawn() forks the whole
 * server on its event loop, costing milliseconds that grow with the server's
 * RSS; the helpers take that cost off the loop and in parallel across cores.
 * The command's stdio reaches the server as Unix sockets (stdio-rendezvous.ts),
 * so output still flows straight from the command to the server. Helpers start on the first launch; a helper
 * that dies is replaced. On Windows this falls back to ChildProcessLauncher.
 */
export class HelperPoolLauncher implements ProcessLauncher {
  readonly description = 'child_process.spawn in a pool of helper processes';
  private readonly size: number;
  private readonly helpers: SpawnHelperProcess[] = [];
  private readonly fallback = process.platform === 'win32' ? new ChildProcessLauncher() : null;
  private closed = false;
  /** Where helpers hand over each command's stdio; made with the first helper. */
  private rendezvous: StdioRendezvous | null = null;

  constructor(options: HelperPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? Math.max(2, os.availableParallelism()));
  }

  launch(spec: LaunchSpec): Promise<RunningProcess> {
    if (this.fallback || this.closed) return (this.fallback ?? new ChildProcessLauncher()).launch(spec);
    return this.launchOnHelper(spec, this.size + 1);
  }

  private async launchOnHelper(spec: LaunchSpec, attemptsLeft: number): Promise<RunningProcess> {
    const rendezvous = (this.rendezvous ??= new StdioRendezvous());
    await rendezvous.ready;
    const helper = this.pick(rendezvous);
    try {
      return await helper.launch(spec);
    } catch (err) {
      // A helper that died before reading the request: drop it and try another (replaced on demand).
      if (!(err instanceof HelperUnavailableError) || attemptsLeft <= 1) throw err;
      this.remove(helper);
      return this.launchOnHelper(spec, attemptsLeft - 1);
    }
  }

  /** PIDs of the live helpers (for tests and diagnostics). */
  get helperPids(): number[] {
    return this.helpers.filter((h) => h.alive && h.pid !== undefined).map((h) => h.pid as number);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const helper of this.helpers.splice(0)) helper.stop();
    this.rendezvous?.close();
    this.rendezvous = null;
  }

  private pick(rendezvous: StdioRendezvous): SpawnHelperProcess {
    if (this.helpers.length < this.size) return this.add(rendezvous);
    const live = this.helpers.filter((h) => h.alive);
    if (live.length === 0) return this.add(rendezvous);
    let best = live[0] as SpawnHelperProcess;
    for (const helper of live) if (helper.load < best.load) best = helper;
    return best;
  }

  private add(rendezvous: StdioRendezvous): SpawnHelperProcess {
    const helper = new SpawnHelperProcess(rendezvous);
    // Replaced lazily: the next launch starts a new helper in its place.
    helper.onDeath = () => this.remove(helper);
    this.helpers.push(helper);
    return helper;
  }

  private remove(helper: SpawnHelperProcess): void {
    const index = this.helpers.indexOf(helper);
    if (index >= 0) this.helpers.splice(index, 1);
  }
}
