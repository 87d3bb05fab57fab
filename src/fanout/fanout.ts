/**
 * Fan-out: one command on many hosts at once, from one process. At most `parallel` hosts are in
 * flight; each gets its own connection, a per-host deadline and connect retries with backoff. Every
 * host ends with exactly one `exit` or `error` event, and its result. Output arrives as events (see
 * EventQueue for how memory stays bounded).
 */
import { connect, type ConnectOptions } from '../client/connect.js';
import type { FrameshClient } from '../client/client.js';
import { FrameshError } from '../errors.js';
import { EventQueue } from './event-queue.js';
import type { FanoutTarget } from './host-selection.js';
import { acceptsNew } from './host-settings.js';

export type FanoutEvent =
  | { readonly type: 'start'; readonly host: string }
  | { readonly type: 'output'; readonly host: string; readonly stream: 'stdout' | 'stderr'; readonly data: Buffer }
  | ({ readonly type: 'exit' } & HostOutcome)
  | ({ readonly type: 'error' } & HostOutcome);

/** How one host ended. Exactly one per host. */
export interface HostOutcome {
  readonly host: string;
  /** Remote exit code; null when a signal ended it or it never ran. */
  readonly code: number | null;
  readonly signal: string | null;
  readonly durationMs: number;
  /** Output bytes received (stdout + stderr). */
  readonly bytes: number;
  /** Why the host failed to run the command: connection, authentication, timeout, not started. */
  readonly error?: { readonly code: string; readonly message: string };
  /** False when no connection to the host was made (refused, unknown, timed out, key or auth refused). */
  readonly reached: boolean;
}

export interface FanoutOptions {
  /** Hosts in flight at once (default 32). */
  parallel?: number;
  /** Per host, from the first connect attempt to the exit, in ms (default: none). */
  timeoutMs?: number;
  /** Connection attempts after the first that failed to connect (default 0). */
  retries?: number;
  /** First retry delay in ms, doubling per attempt up to 5 s (default 250). */
  retryDelayMs?: number;
  /** Start no more hosts after the first failure (non-zero exit or error); those not started end NOT_STARTED. */
  failFast?: boolean;
  /** The same bytes as stdin of every host's command (default: stdin closed). */
  stdin?: Buffer;
  cwd?: string;
  env?: Record<string, string>;
  login?: boolean;
  /** Connection options shared by every host (home, identity, …); per-host settings win. */
  connect?: Omit<ConnectOptions, 'host' | 'port'>;
  /** Deliver output as events (default true). With false only the results are kept: nothing to iterate. */
  events?: boolean;
  /** Unread output events allowed before hosts are paused (default 8 MiB). */
  maxQueuedBytes?: number;
}

export interface Fanout extends AsyncIterable<FanoutEvent> {
  /** Every host's outcome, in the order the hosts were given, once all have ended. */
  readonly results: Promise<HostOutcome[]>;
  /** Ends every running command and starts no more hosts. */
  cancel(): void;
}

const RETRYABLE = new Set(['CONNECTION_REFUSED', 'CONNECTION_RESET', 'CONNECTION_CLOSED', 'HOST_NOT_FOUND', 'TIMEOUT', 'ECONNREFUSED']);

function errorOf(err: unknown): { code: string; message: string } {
  if (err instanceof FrameshError) return { code: err.code, message: err.message };
  const e = err as NodeJS.ErrnoException;
  return { code: e?.code ?? 'ERROR', message: e?.message ?? String(err) };
}

export function fanout(targets: readonly FanoutTarget[], command: string | readonly string[], options: FanoutOptions = {}): Fanout {
  const parallel = Math.max(1, options.parallel ?? 32);
  const queue = new EventQueue<FanoutEvent>(options.maxQueuedBytes ?? 8 * 1024 * 1024);
  const withEvents = options.events !== false;
  const outcomes: Array<HostOutcome | undefined> = new Array(targets.length);
  const live = new Set<FrameshClient>();
  let stopped = false;
  let next = 0;

  const emit = (event: FanoutEvent): void => {
    if (withEvents) queue.push(event);
  };

  const finish = (index: number, outcome: HostOutcome): void => {
    outcomes[index] = outcome;
    emit({ type: outcome.error ? 'error' : 'exit', ...outcome });
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
    const deadline = options.timeoutMs ? began + options.timeoutMs : Number.MAX_SAFE_INTEGER;
    let bytes = 0;
    emit({ type: 'start', host: target.name });
    let client: FrameshClient | undefined;
    let timer: NodeJS.Timeout | undefined;
    let reached = false;
    try {
      client = await connectWithRetries(target, deadline);
      reached = true;
      live.add(client);
      const call = client.exec(typeof command === 'string' ? command : [...command], {
        ...(options.cwd !== undefined && { cwd: options.cwd }),
        ...(options.env !== undefined && { env: options.env }),
        ...(options.login && { login: true }),
        ...(options.timeoutMs && { timeoutMs: Math.max(1, deadline - Date.now()) }),
      });
      const pipe = (stream: 'stdout' | 'stderr'): Promise<void> =>
        new Promise((resolve) => {
          const source = call[stream];
          source.on('data', (data: Buffer) => {
            bytes += data.length;
            if (withEvents && !queue.push({ type: 'output', host: target.name, stream, data }, data.length, () => source.resume())) source.pause();
          });
          source.once('end', resolve);
          source.once('close', resolve);
        });
      const drained = Promise.all([pipe('stdout'), pipe('stderr')]);
      call.stdin.on('error', () => {});
      call.stdin.end(options.stdin);
      // The server enforces the timeout; this local one covers a server or network that stops answering.
      const local = new Promise<never>((_, reject) => {
        if (!options.timeoutMs) return;
        timer = setTimeout(() => reject(new FrameshError('TIMEOUT', `no answer within ${options.timeoutMs} ms`)), Math.max(1, deadline - Date.now()) + 2000);
      });
      const result = await Promise.race([call.exit, local]);
      await Promise.race([drained, local]);
      if (result.reason === 'timeout') {
        finish(index, { host: target.name, code: result.code, signal: result.signal, durationMs: Date.now() - began, bytes, reached, error: { code: 'TIMEOUT', message: `timed out after ${options.timeoutMs} ms` } });
      } else {
        finish(index, { host: target.name, code: result.code, signal: result.signal, durationMs: Date.now() - began, bytes, reached });
      }
    } catch (err) {
      finish(index, { host: target.name, code: null, signal: null, durationMs: Date.now() - began, bytes, reached, error: errorOf(err) });
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
        finish(index, { host: (targets[index] as FanoutTarget).name, code: null, signal: null, durationMs: 0, bytes: 0, reached: false, error: { code: 'NOT_STARTED', message: 'not started: an earlier host failed (--fail-fast) or the run was cancelled' } });
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
