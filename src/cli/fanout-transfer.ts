/**
 * `framesh put -H HOSTS LOCAL... REMOTE` and `framesh get -H HOSTS REMOTE... DIR`: the same files to many
 * hosts, or from many hosts into `DIR/HOST/`. On a terminal: a bar per host and a total with the live
 * status; otherwise (or with -q) nothing until the summary; --json: one object per file and per host.
 * Exit status as exec -H: 0 every host copied everything, 1 a file failed or timed out on some host,
 * 255 some host could not be reached or its connection failed.
 */
import { promises as fs } from 'node:fs';
import { fanoutGet, fanoutPut, type TransferFanoutEvent } from '../fanout/fanout-transfers.js';
import type { FanoutTarget } from '../fanout/host-selection.js';
import type { HostOutcome } from '../fanout/host-jobs.js';
import { EXIT_UNREACHABLE, fanoutExitStatus, summaryTable } from '../fanout/summary.js';
import { describeError, EXIT_USAGE } from './exit-status.js';
import { fanoutProgressView } from './fanout-progress.js';
import { targetsFromFlags, type FanoutSelectionFlags } from './fanout-targets.js';
import { parseRemotePath } from './remote-path.js';

export interface FanoutTransferFlags extends FanoutSelectionFlags {
  recursive?: boolean;
  preserve?: boolean;
  quiet?: boolean;
  resume: boolean;
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => (stream.write(text) ? resolve() : stream.once('drain', () => resolve())));
}

function usage(message: string): number {
  process.stderr.write(`framesh: ${message}\n`);
  return EXIT_USAGE;
}

/** One JSON line per event that a script acts on: each file, each file that failed, each host's end. */
function jsonOf(event: TransferFanoutEvent): string | undefined {
  switch (event.type) {
    case 'file':
      return JSON.stringify({
        host: event.host,
        file: event.from,
        to: event.to,
        size: event.size,
        sha256: event.sha256,
      });
    case 'file-error':
      return JSON.stringify({
        host: event.host,
        file: event.from,
        to: event.to,
        error: event.error.code,
        message: event.error.message,
      });
    case 'exit':
      return JSON.stringify({
        host: event.host,
        exit: event.code,
        durationMs: event.durationMs,
        bytes: event.bytes,
        ...(event.detail !== undefined && { detail: event.detail }),
      });
    case 'error':
      return JSON.stringify({
        host: event.host,
        error: event.error?.code,
        message: event.error?.message,
        durationMs: event.durationMs,
        bytes: event.bytes,
      });
    default:
      return undefined;
  }
}

export async function runFanoutTransfer(
  direction: 'put' | 'get',
  paths: string[],
  flags: FanoutTransferFlags,
): Promise<number> {
  if (paths.length < 2) return usage(`${direction} -H needs at least one source and a destination`);
  const sources = paths.slice(0, -1);
  const dest = paths.at(-1) as string;
  // The hosts come from -H/--hosts: a HOST: in a remote path would say something else.
  const remotePaths = direction === 'put' ? [dest] : sources;
  const withHost = remotePaths.find((p) => parseRemotePath(p) !== null);
  if (withHost !== undefined)
    return usage(
      `with -H or --hosts, remote paths have no HOST: part ("${withHost}"; write ./${withHost} for a name with a colon)`,
    );
  if (direction === 'get' && parseRemotePath(dest)) return usage('the destination of get is a local directory');
  let targets: FanoutTarget[];
  try {
    targets = targetsFromFlags(flags);
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    return EXIT_USAGE;
  }
  if (direction === 'put') {
    // Checked once here rather than failing the same way on every host.
    for (const source of sources) {
      if (!(await fs.stat(source).catch(() => null))) {
        process.stderr.write(`framesh: ${source}: no such file or directory\n`);
        return 1;
      }
    }
  } else {
    const stat = await fs.stat(dest).catch(() => null);
    if (stat && !stat.isDirectory()) return usage(`${dest}: not a directory (get -H writes DIR/HOST/...)`);
  }
  process.stdin.destroy();
  const options = {
    parallel: flags.parallel,
    retries: flags.retries,
    resume: flags.resume,
    ...(flags.recursive && { recursive: true }),
    ...(flags.preserve && { preserve: true }),
    ...(flags.timeout !== undefined && flags.timeout > 0 && { timeoutMs: flags.timeout }),
    ...(flags.failFast && { failFast: true }),
    ...(flags.connectTimeout !== undefined && { connect: { timeoutMs: flags.connectTimeout } }),
  };
  const run =
    direction === 'put' ? fanoutPut(targets, sources, dest, options) : fanoutGet(targets, sources, dest, options);
  let interrupted = false;
  const onInterrupt = (): void => {
    interrupted = true;
    run.cancel();
  };
  process.on('SIGINT', onInterrupt);
  const view = fanoutProgressView(
    !flags.quiet && !flags.json && !flags.summaryOnly,
    targets.map((t) => t.name),
  );
  for await (const event of run) {
    if (flags.json) {
      const line = jsonOf(event);
      if (line !== undefined) await write(process.stdout, `${line}\n`);
      continue;
    }
    if (event.type === 'start') view.start(event.host);
    else if (event.type === 'plan') view.plan(event.host, event.total);
    else if (event.type === 'progress') view.progress(event.host, event.bytes);
    else if (event.type === 'exit' || event.type === 'error') view.end(event);
  }
  view.stop();
  process.off('SIGINT', onInterrupt);
  const outcomes: HostOutcome[] = await run.results;
  if (!flags.json) await write(flags.summaryOnly ? process.stdout : process.stderr, summaryTable(outcomes));
  if (interrupted) return 130;
  return outcomes.length === 0 ? EXIT_UNREACHABLE : fanoutExitStatus(outcomes);
}
