import { MaxBufferError } from '../errors.js';
import type { ExecCall, ExitResult } from './exec-call.js';

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  login?: boolean;
  windowBytes?: number;
  /** Most bytes of stdout plus stderr to collect (default 64 MiB); beyond it the command is cancelled and run() rejects with MAX_BUFFER. */
  maxBuffer?: number;
  /** Written to the command's stdin, which is then closed. Without it stdin is closed at once. */
  input?: string | Buffer;
  /** 'utf8' (default) for strings, 'buffer' for Buffers. */
  encoding?: 'utf8' | 'buffer';
}

export interface RunResult<T extends string | Buffer = string | Buffer> extends ExitResult {
  readonly stdout: T;
  readonly stderr: T;
}

export const DEFAULT_MAX_BUFFER = 64 * 1024 * 1024;

/** Collects a call's output; resolves with it and the exit status (a non-zero code is not an error). */
export async function runToCompletion(call: ExecCall, options: RunOptions): Promise<RunResult> {
  const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let total = 0;
  let overflow: MaxBufferError | null = null;
  const collect = (into: Buffer[]) => (chunk: Buffer) => {
    if (overflow) return;
    total += chunk.length;
    if (total > maxBuffer) {
      overflow = new MaxBufferError(maxBuffer);
      call.cancel();
      return;
    }
    into.push(chunk);
  };
  call.stdout.on('data', collect(out));
  call.stderr.on('data', collect(err));
  call.stdin.end(options.input);
  const status = await call.exit;
  if (overflow) throw overflow;
  const stdout = Buffer.concat(out);
  const stderr = Buffer.concat(err);
  const asText = options.encoding !== 'buffer';
  return {
    ...status,
    stdout: asText ? stdout.toString('utf8') : stdout,
    stderr: asText ? stderr.toString('utf8') : stderr,
  };
}
