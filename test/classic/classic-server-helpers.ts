/**
 * Runs test/classic/peers/classic_client.py (a classic client written from
 * docs/CLASSIC.md) and starts `framesh serve --classic` processes for the
 * classic server tests.
 */
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServeProcess, type ServeProcess } from '../helpers/cli.js';

const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peers/classic_client.py');

/** One line the Python client printed: a greeting or a reply. */
export interface ClassicReply {
  readonly greeting?: boolean;
  /** With `parallel`: the connection's index. */
  readonly conn?: number;
  readonly cmd?: string;
  /** The size the reply header announced; null in raw format. */
  readonly size: number | null;
  readonly len: number;
  readonly sha256: string;
  /** The bytes decoded with the client's encoding; null above 64 KiB. */
  readonly text: string | null;
}

export interface ClientOptions {
  readonly greeting?: boolean;
  readonly encoding?: string;
  readonly recvSize?: number;
  /** Run the actions on this many connections at once ({i} in an action is the connection's index). */
  readonly parallel?: number;
  readonly timeoutMs?: number;
}

/** Runs the Python client with `actions` (see its docstring); rejects if it fails or overruns. */
export function runClassicClient(
  port: number,
  format: string,
  actions: readonly string[],
  options: ClientOptions = {},
): Promise<ClassicReply[]> {
  const args = [CLIENT, '--port', String(port), '--format', format];
  if (options.greeting) args.push('--greeting');
  if (options.encoding) args.push('--encoding', options.encoding);
  if (options.recvSize) args.push('--recv-size', String(options.recvSize));
  if (options.parallel) args.push('--parallel', String(options.parallel));
  const child = spawn('python3', [...args, '--', ...actions]);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  return new Promise((resolve, reject) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      if (code !== 0) {
        reject(
          new Error(`classic_client.py exited ${code ?? signal}: ${Buffer.concat(err).toString('utf8')}\n${stdout}`),
        );
        return;
      }
      resolve(
        stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as ClassicReply),
      );
    });
  });
}

/** `framesh serve --classic 0 --classic-only --classic-format FORMAT ...`, resolved once listening. */
export async function startClassicServe(
  format: string,
  args: readonly string[] = [],
): Promise<ServeProcess & { classicPort: number }> {
  const serve = await startServeProcess(
    ['--classic', '0', '--classic-only', '--classic-format', format, ...args],
    {},
    { classic: true },
  );
  return serve as ServeProcess & { classicPort: number };
}

/** Audit-log lines (JSON) the server has written so far with this `event`. */
export function auditEvents(serve: ServeProcess, event: string): Record<string, unknown>[] {
  return serve
    .stderr()
    .split('\n')
    .slice(0, -1) // the last piece may be a line still being written
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.event === event);
}

/** Polls (bounded) until `check` returns a value; rejects after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Reads exactly n bytes at a time from a raw socket (for hand-written peers); rejects if it closes first. */
export function byteReader(socket: Socket): (n: number) => Promise<Buffer> {
  let buffered = Buffer.alloc(0);
  let wake: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    wake?.();
  });
  socket.on('close', () => wake?.());
  return async (n) => {
    while (buffered.length < n) {
      if (socket.destroyed) throw new Error(`socket closed with ${buffered.length} of ${n} bytes`);
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
    const bytes = buffered.subarray(0, n);
    buffered = buffered.subarray(n);
    return bytes;
  };
}
