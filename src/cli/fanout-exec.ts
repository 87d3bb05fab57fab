/**
 * `framesh exec -H HOSTS | --hosts FILE [--limit P] -- CMD`: the command on many hosts, with output
 * people can read while it runs (prefixed lines, blocks per host with --group, or JSON lines) and a
 * summary they can act on. Exit status: 0 all exited 0, 1 some command failed, 255 some host not reached.
 */
import { fstatSync } from 'node:fs';
import { fanout, type FanoutEvent, type HostOutcome } from '../fanout/fanout.js';
import type { FanoutTarget } from '../fanout/host-selection.js';
import { LinePrefixer } from '../fanout/line-prefixer.js';
import { fanoutExitStatus, EXIT_UNREACHABLE, statusLine, summaryTable } from '../fanout/summary.js';
import { describeError } from './exit-status.js';
import { targetsFromFlags, type FanoutFlags } from './fanout-targets.js';

export type { FanoutFlags } from './fanout-targets.js';

/** True when stdin is a pipe, socket or non-empty file: input someone meant to send. Not a terminal or /dev/null. */
function stdinHasData(): boolean {
  try {
    const st = fstatSync(0);
    return st.isFIFO() || st.isSocket() || (st.isFile() && st.size > 0);
  } catch {
    return false;
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Writes to a local stream, waiting when it is full (so a slow terminal or pipe pauses the hosts). */
function writer(stream: NodeJS.WriteStream): (bytes: Buffer | string) => Promise<void> {
  return async (bytes) => {
    if (bytes.length === 0) return;
    if (!stream.write(bytes)) await new Promise<void>((r) => stream.once('drain', r));
  };
}

export async function runFanoutExec(words: string[], flags: FanoutFlags, env: Record<string, string>): Promise<number> {
  let targets: FanoutTarget[];
  try {
    targets = targetsFromFlags(flags);
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    return 2;
  }
  if (flags.forwardStdin && !flags.stdin) {
    process.stderr.write('framesh: --stdin and -n contradict each other\n');
    return 2;
  }
  let stdin: Buffer | undefined;
  if (flags.forwardStdin) stdin = await readAll(process.stdin);
  else if (targets.length > 1 && flags.stdin && stdinHasData()) {
    // Input piped to many hosts is refused rather than silently dropped or sent to one of them.
    process.stderr.write(
      `framesh: refusing to send stdin to ${targets.length} hosts: give --stdin (the same bytes to every host) or -n\n`,
    );
    return 2;
  }
  process.stdin.destroy();
  const out = writer(process.stdout);
  const err = writer(process.stderr);
  const showStatus = process.stderr.isTTY && !flags.json;
  const run = fanout(targets, words.length === 1 ? (words[0] as string) : words, {
    parallel: flags.parallel,
    retries: flags.retries,
    ...(flags.timeout !== undefined && flags.timeout > 0 && { timeoutMs: flags.timeout }),
    ...(flags.failFast && { failFast: true }),
    ...(stdin !== undefined && { stdin }),
    ...(flags.cwd !== undefined && { cwd: flags.cwd }),
    ...(flags.login && { login: true }),
    env,
    ...(flags.connectTimeout !== undefined && { connect: { timeoutMs: flags.connectTimeout } }),
  });
  let interrupted = false;
  const onInterrupt = (): void => {
    interrupted = true;
    run.cancel();
  };
  process.on('SIGINT', onInterrupt);
  const began = Date.now();
  let done = 0;
  let running = 0;
  let failed = 0;
  let statusShown = false;
  const clearStatus = async (): Promise<void> => {
    if (statusShown) await err('\r\x1b[2K');
    statusShown = false;
  };
  const drawStatus = async (): Promise<void> => {
    if (!showStatus) return;
    await err(`\r\x1b[2K${statusLine(done, running, failed, targets.length, Date.now() - began)}`);
    statusShown = true;
  };
  const ticker = showStatus ? setInterval(() => void drawStatus(), 500) : undefined;
  const prefixers = new Map<string, { stdout: LinePrefixer; stderr: LinePrefixer }>();
  const blocks = new Map<string, Buffer[]>();
  const print = async (target: 'stdout' | 'stderr', bytes: Buffer | string): Promise<void> => {
    if (bytes.length === 0 || flags.summaryOnly) return;
    await clearStatus();
    await (target === 'stdout' ? out : err)(bytes);
  };
  for await (const event of run as AsyncIterable<FanoutEvent>) {
    if (flags.json) {
      if (event.type === 'output')
        await out(`${JSON.stringify({ host: event.host, stream: event.stream, data: event.data.toString('utf8') })}\n`);
      else if (event.type === 'exit')
        await out(
          `${JSON.stringify({ host: event.host, exit: event.code, signal: event.signal, durationMs: event.durationMs, bytes: event.bytes })}\n`,
        );
      else if (event.type === 'error')
        await out(
          `${JSON.stringify({ host: event.host, error: event.error?.code, message: event.error?.message, durationMs: event.durationMs, bytes: event.bytes })}\n`,
        );
    } else if (event.type === 'start') {
      running += 1;
      prefixers.set(event.host, {
        stdout: new LinePrefixer(event.host, 'stdout'),
        stderr: new LinePrefixer(event.host, 'stderr'),
      });
      if (flags.group) blocks.set(event.host, []);
    } else if (event.type === 'output') {
      const p = prefixers.get(event.host);
      const lines = p ? p[event.stream].push(event.data) : Buffer.alloc(0);
      if (flags.group) blocks.get(event.host)?.push(lines);
      else await print(event.stream, lines);
    } else {
      if (event.type === 'error' && event.error?.code !== 'NOT_STARTED') failed += 1;
      else if (event.code !== 0) failed += 1;
      done += 1;
      if (prefixers.has(event.host)) running -= 1;
      const p = prefixers.get(event.host);
      const tail = p ? [p.stdout.end(), p.stderr.end()] : [];
      if (flags.group) {
        const block = Buffer.concat([...(blocks.get(event.host) ?? []), ...tail]);
        blocks.delete(event.host);
        await print('stdout', Buffer.concat([Buffer.from(`=== ${event.host} ===\n`), block]));
      } else {
        await print('stdout', tail[0] ?? Buffer.alloc(0));
        await print('stderr', tail[1] ?? Buffer.alloc(0));
      }
      if (event.type === 'error' && !flags.summaryOnly && !flags.group && event.error?.code !== 'NOT_STARTED') {
        await print('stderr', `[${event.host}]! framesh: ${event.error?.code}: ${event.error?.message}\n`);
      }
      await drawStatus();
    }
  }
  clearInterval(ticker);
  await clearStatus();
  process.off('SIGINT', onInterrupt);
  const outcomes: HostOutcome[] = await run.results;
  if (!flags.json && (process.stderr.isTTY || flags.summaryOnly)) {
    await (flags.summaryOnly ? out : err)(summaryTable(outcomes));
  }
  if (interrupted) return 130;
  return outcomes.length === 0 ? EXIT_UNREACHABLE : fanoutExitStatus(outcomes);
}
