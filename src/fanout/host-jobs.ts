/**
 * The fan-out scheduler, for any per-host job (a command, a transfer): at most `parallel` hosts in
 * flight, each on its own connection, with a per-host deadline, connect retries with backoff and
 * fail-fast. Every host ends with exactly one `exit` or `error` event and one outcome. The job's own
 * events (output, progress) go through one EventQueue, so a reader that falls behind pauses the hosts.
 */
import { connect, type ConnectOptions } from '../client/connect.js';
import type { FrameshClient } from '../client/client.js';
import { FrameshError } from '../errors.js';
import { EventQueue } from './event-queue.js';
import type { FanoutTarget } from './host-selection.js';
import { acceptsNew } from './host-settings.js';

/** How one host ended. Exactly one per host. */
export interface HostOutcome {
  readonly host: string;
  /** The job's exit code (a command's own; for transfers 0 or 1); null when a signal ended it or it never ran. */
  readonly code: number | null;
  readonly signal: string | null;
  readonly durationMs: number;
  /** Bytes moved: output received (stdout + stderr) for a command, file bytes for a transfer. */
  readonly bytes: number;
  /** Why the host failed to run the job: connection, authentication, timeout, not started. */
  readonly error?: { readonly code: string; readonly message: string };
  /** False when no connection to the host was made (refused, unknown, timed out, key or auth refused). */
  readonly reached: boolean;
  /** What failed inside a job that ran (a file that could not be copied), for a non-zero `code`. */
  readonly detail?: string;
}

/** The events every fan-out has, around the job's own. */
export type HostEvent<JobEvent> =
  | { readonly type: 'start'; readonly host: string }
  | JobEvent
  | ({ readonly type: 'exit' } & HostOutcome)
  | ({ readonly type: 'error' } & HostOutcome);

/** Scheduling and connection options shared by every kind of fan-out. */
export interface HostJobOptions {
  /** Hosts in flight at once (default 32). */
  parallel?: number;
  /** Per host, from the first connect attempt to the end of its job, in ms (default: none). */
  timeoutMs?: number;
  /** Connection attempts after the first that failed to connect (default 0). */
  retries?: number;
  /** First retry delay in ms, doubling per attempt up to 5 s (default 250). */
  retryDelayMs?: number;
  /** Start no more hosts after the first failure (non-zero exit or error); those not started end NOT_STARTED. */
  failFast?: boolean;
  /** Connection options shared by every host (home, identity, …); per-host settings win. */
  connect?: Omit<ConnectOptions, 'host' | 'port'>;
  /** Deliver events (default true). With false only the results are kept: nothing to iterate. */
  events?: boolean;
  /** Unread sized events (output) allowed before hosts are paused (default 8 MiB). */
  maxQueuedBytes?: number;
}

/** What a job is given for one host. */
export interface HostJobContext<JobEvent> {
  readonly target: FanoutTarget;
  readonly client: FrameshClient;
  /** When this host's time is up (ms since the epoch), or undefined without a timeout. */
  readonly deadline: number | undefined;
  /**
   * Queues one of the job's events. `bytes` counts against the queue's high-water mark; past it the
   * call returns false and `onResume` runs once the reader caught up (pause the source meanwhile).
   */
  emit(event: JobEvent, bytes?: number, onResume?: () => void): boolean;
  /** Adds to the host's `bytes`. */
  count(bytes: number): void;
}

/** How a job ended on a host it reached; throw instead for a failure of the host or connection. */
export interface HostJobEnd {
  readonly code: number | null;
  readonly signal: string | null;
  readonly error?: { readonly code: string; readonly message: string };
  readonly detail?: string;
}

export type HostJob<JobEvent> = (context: HostJobContext<JobEvent>) => Promise<HostJobEnd>;

export interface HostRun<JobEvent> extends AsyncIterable<HostEvent<JobEvent>> {
  /** Every host's outcome, in the order the hosts were given, once all have ended. */
  readonly results: Promise<HostOutcome[]>;
  /** Ends every running job (its connection is closed) and starts no more hosts. */
  cancel(): void;
}

/**
 * How long after the deadline the scheduler itself closes the connection. A command's timeout is
 * enforced by the server, so the local one only covers a server that stops answering (2 s later); a
 * transfer has no server-side timeout, so it is cut at the deadline.
 */
export interface SchedulerTuning {
  readonly timeoutGraceMs: number;
}

const RETRYABLE = new Set([
  'CONNECTION_REFUSED',
  'CONNECTION_RESET',
  'CONNECTION_CLOSED',
  'HOST_NOT_FOUND',
  'TIMEOUT',
  'ECONNREFUSED',
]);

export function errorOf(err: unknown): { code: string; message: string } {
  if (err instanceof FrameshError) return { code: err.code, message: err.message };
  const e = err as NodeJS.ErrnoException;
  return { code: e?.code ?? 'ERROR', message: e?.message ?? String(err) };
}

export function runOnHosts<JobEvent>(
  targets: readonly FanoutTarget[],
  job: HostJob<JobEvent>,
  options: HostJobOptions,
  tuning: SchedulerTuning,
): HostRun<JobEvent> {
  const parallel = Math.max(1, options.parallel ?? 32);
  const queue = new EventQueue<HostEvent<JobEvent>>(options.maxQueuedBytes ?? 8 * 1024 * 1024);
  const withEvents = options.events !== false;
  const outcomes: Array<HostOutcome | undefined> = new Array(targets.length);
  const live = new Set<FrameshClient>();
  let stopped = false;
  let next = 0;

  const finish = (index: number, outcome: HostOutcome): void => {
    outcomes[index] = outcome;
    if (withEvents) queue.push({ type: outcome.error ? 'error' : 'exit', ...outcome });
    if (options.failFast && (outcome.error || outcome.code !== 0)) stopped = true;
  };

  async function connectWithRetries(target: FanoutTarget, deadline: number): Promise<FrameshClient> {
    const retries = options.retries ?? 0;
    let delay = options.retryDelayMs ?? 250;
    for (let attempt = 0; ; attempt += 1) {
      const left = deadline - Date.now();
      try {
        const s = target.settings;
        return await connect({
          ...options.connect,
          host: target.host,
          port: target.port,
          timeoutMs: Math.max(1, Math.min(s.connectTimeoutMs ?? options.connect?.timeoutMs ?? 10_000, left)),
          ...(s.insecure !== undefined && { insecure: s.insecure }),
          ...(s.identityFile !== undefined && { identityFile: s.identityFile }),
          ...(s.fingerprint !== undefined && { fingerprint: s.fingerprint }),
          ...(acceptsNew(s) !== undefined && { acceptNew: acceptsNew(s) as boolean }),
        });
      } catch (err) {
        const { code } = errorOf(err);
        if (attempt >= retries || !RETRYABLE.has(code) || stopped || Date.now() + delay >= deadline) throw err;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  async function runOne(index: number): Promise<void> {
    const target = targets[index] as FanoutTarget;
    const began = Date.now();
    const deadline = options.timeoutMs ? began + options.timeoutMs : undefined;
    let bytes = 0;
    if (withEvents) queue.push({ type: 'start', host: target.name });
    let client: FrameshClient | undefined;
    let timer: NodeJS.Timeout | undefined;
    let reached = false;
    const end = (fields: HostJobEnd): void =>
      finish(index, { host: target.name, ...fields, durationMs: Date.now() - began, bytes, reached });
    try {
      client = await connectWithRetries(target, deadline ?? Number.MAX_SAFE_INTEGER);
      reached = true;
      live.add(client);
      const connected = client;
      const local = new Promise<never>((_, reject) => {
        if (deadline === undefined) return;
        timer = setTimeout(
          () => {
            reject(new FrameshError('TIMEOUT', `timed out after ${options.timeoutMs} ms`));
            void connected.close().catch(() => {});
          },
          Math.max(1, deadline - Date.now()) + tuning.timeoutGraceMs,
        );
      });
      local.catch(() => {});
      const context: HostJobContext<JobEvent> = {
        target,
        client,
        deadline,
        emit: (event, size = 0, onResume) => (withEvents ? queue.push(event, size, onResume) : true),
        count: (n) => {
          bytes += n;
        },
      };
      end(await Promise.race([job(context), local]));
    } catch (err) {
      end({ code: null, signal: null, error: errorOf(err) });
    } finally {
      clearTimeout(timer);
      if (client) {
        live.delete(client);
        await client.close().catch(() => {});
      }
    }
  }

  async function worker(): Promise<void> {
    while (next < targets.length) {
      const index = next++;
      if (stopped) {
        finish(index, {
          host: (targets[index] as FanoutTarget).name,
          code: null,
          signal: null,
          durationMs: 0,
          bytes: 0,
          reached: false,
          error: {
            code: 'NOT_STARTED',
            message: 'not started: an earlier host failed (--fail-fast) or the run was cancelled',
          },
        });
        continue;
      }
      await runOne(index);
    }
  }

  const results = Promise.all(Array.from({ length: Math.min(parallel, targets.length) }, worker)).then(() => {
    queue.close();
    return outcomes as HostOutcome[];
  });

  return {
    results,
    cancel() {
      stopped = true;
      for (const client of live) void client.close();
    },
    [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator](),
  };
}
