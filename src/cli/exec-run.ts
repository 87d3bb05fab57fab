import type { ExecCall } from '../client/exec-call.js';
import { connectOrExplain, defaultPortOf } from './connect-from-flags.js';
import type { ConnectionFlags } from './connection-options.js';
import { describeDurationMs } from './duration.js';
import {
  describeError,
  EXIT_CLIENT_FAILURE,
  EXIT_OUTPUT_CLOSED,
  exitStatusOf,
  exitStatusOfFailure,
} from './exit-status.js';
import { LocalOutput } from './local-output.js';
import { parseTarget } from './target.js';
import { localLocale } from './local-locale.js';
import { stdinIsDevNull } from './null-stdin.js';

export interface ExecFlags extends ConnectionFlags {
  encoding?: string;
  timeout?: number;
  cwd?: string;
  env: string[];
  login?: boolean;
  stdin: boolean;
  /** -t: true, -T: false. */
  tty?: boolean;
  escape: number | null;
}

/** Ctrl-C presses after which framesh gives up waiting and leaves, as ssh's escape would. */
const INTERRUPTS_BEFORE_ABANDON = 3;

/** `framesh exec`'s work, once its arguments are parsed: connect, run, stream, and map the exit status. */
export async function runExec(targetText: string, words: string[], flags: ExecFlags): Promise<number> {
  const client = await connectOrExplain(parseTarget(targetText, defaultPortOf(flags)), flags);
  if (!client) return EXIT_CLIENT_FAILURE;
  const command = words.length === 1 ? (words[0] as string) : words;
  const options = {
    ...(flags.cwd !== undefined && { cwd: flags.cwd }),
    ...(flags.timeout !== undefined && flags.timeout > 0 && { timeoutMs: flags.timeout }),
    ...(flags.login && { login: true }),
    env: parseEnv(flags.env),
    locale: localLocale(),
  };
  if (flags.tty === true) {
    const { localTerminalSize, runTerminalSession } = await import('./terminal-session.js');
    const terminal = client.exec(command, { ...options, pty: localTerminalSize() });
    return runTerminalSession(client, terminal, { escape: flags.escape, hostLabel: targetText });
  }
  const call = client.exec(command, options);
  const stopForwarding = forwardInterrupts(call);
  const output = new LocalOutput();
  const outputDone = Promise.all([
    output.pipe(call.stdout, process.stdout, flags.encoding),
    output.pipe(call.stderr, process.stderr, flags.encoding),
  ]);
  // The reader left (| head): nothing more can be shown, so the remote command is ended, not left running.
  void output.closed.then(() => call.cancel());
  const stdin = flags.stdin && !stdinIsDevNull() ? process.stdin : null;
  if (stdin) stdin.pipe(call.stdin);
  else call.stdin.end();
  try {
    const result = await call.exit;
    await outputDone;
    if (output.isOutputClosed) return EXIT_OUTPUT_CLOSED;
    if (result.reason === 'timeout') {
      const limit = flags.timeout ? describeDurationMs(flags.timeout) : 'the server limit';
      process.stderr.write(`framesh: command timed out after ${limit} (TIMEOUT)\n`);
    }
    if (result.reason === 'shutdown') {
      process.stderr.write('framesh: the server shut down and ended the command (exit reason "shutdown")\n');
    }
    return exitStatusOf(result);
  } catch (err) {
    if (output.isOutputClosed) return EXIT_OUTPUT_CLOSED;
    process.stderr.write(`${describeError(err)}\n`);
    return exitStatusOfFailure(err);
  } finally {
    stopForwarding();
    stdin?.unpipe(call.stdin);
    stdin?.destroy();
    await client.close();
  }
}

function forwardInterrupts(call: ExecCall): () => void {
  let presses = 0;
  const onInterrupt = (): void => {
    presses += 1;
    if (presses >= INTERRUPTS_BEFORE_ABANDON) {
      process.stderr.write('framesh: leaving without waiting for the remote command\n');
      call.cancel();
      process.exit(130);
    }
    call.signal('SIGINT');
  };
  const onTerminate = (): void => call.signal('SIGTERM');
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onTerminate);
  return () => {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onTerminate);
  };
}

export function parseEnv(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}
