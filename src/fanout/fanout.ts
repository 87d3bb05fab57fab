/**
 * Fan-out of a command: one command on many hosts at once, from one process, on the scheduler of
 * host-jobs.ts. Output arrives as events (see EventQueue for how memory stays bounded).
 */
import type { FanoutTarget } from './host-selection.js';
import {
  runOnHosts,
  type HostEvent,
  type HostJobContext,
  type HostJobEnd,
  type HostJobOptions,
  type HostRun,
} from './host-jobs.js';

export type { HostOutcome } from './host-jobs.js';

/** A command's own event: a chunk of its output. */
export interface OutputEvent {
  readonly type: 'output';
  readonly host: string;
  readonly stream: 'stdout' | 'stderr';
  readonly data: Buffer;
}

export type FanoutEvent = HostEvent<OutputEvent>;

export interface FanoutOptions extends HostJobOptions {
  /** The same bytes as stdin of every host's command (default: stdin closed). */
  stdin?: Buffer;
  cwd?: string;
  env?: Record<string, string>;
  login?: boolean;
}

export type Fanout = HostRun<OutputEvent>;

export function fanout(
  targets: readonly FanoutTarget[],
  command: string | readonly string[],
  options: FanoutOptions = {},
): Fanout {
  // The server enforces the command's timeout; the scheduler's own, 2 s later, covers a server that stops answering.
  return runOnHosts(targets, (context) => runCommand(context, command, options), options, { timeoutGraceMs: 2000 });
}

async function runCommand(
  context: HostJobContext<OutputEvent>,
  command: string | readonly string[],
  options: FanoutOptions,
): Promise<HostJobEnd> {
  const { client, target, deadline } = context;
  const call = client.exec(typeof command === 'string' ? command : [...command], {
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    ...(options.env !== undefined && { env: options.env }),
    ...(options.login && { login: true }),
    ...(deadline !== undefined && { timeoutMs: Math.max(1, deadline - Date.now()) }),
  });
  const pipe = (stream: 'stdout' | 'stderr'): Promise<void> =>
    new Promise((resolve) => {
      const source = call[stream];
      source.on('data', (data: Buffer) => {
        context.count(data.length);
        if (!context.emit({ type: 'output', host: target.name, stream, data }, data.length, () => source.resume()))
          source.pause();
      });
      source.once('end', resolve);
      source.once('close', resolve);
    });
  const drained = Promise.all([pipe('stdout'), pipe('stderr')]);
  call.stdin.on('error', () => {});
  call.stdin.end(options.stdin);
  const result = await call.exit;
  await drained;
  if (result.reason === 'timeout') {
    return {
      code: result.code,
      signal: result.signal,
      error: { code: 'TIMEOUT', message: `timed out after ${options.timeoutMs} ms` },
    };
  }
  return { code: result.code, signal: result.signal };
}
