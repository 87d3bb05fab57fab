import type { FrameshClient } from '../client/client.js';
import type { TerminalCall } from '../client/terminal-call.js';
import { EscapeFilter, escapeHelp } from './escape-filter.js';
import { describeError, EXIT_CLIENT_FAILURE, exitStatusOf } from './exit-status.js';

export interface TerminalSessionOptions {
  /** The escape byte (`~`), or null for `-e none`. */
  readonly escape: number | null;
  /** For "Connection to HOST closed." after `~.`. */
  readonly hostLabel: string;
}

/** Signals that end the client: the terminal is restored first, then the remote session is hung up. */
const LEAVING_SIGNALS = ['SIGTERM', 'SIGHUP'] as const;

/** The local size to send at open (80 x 24 when stdout is not a terminal). */
export function localTerminalSize(): { cols: number; rows: number } {
  const out = process.stdout;
  return out.isTTY && out.columns > 0 && out.rows > 0 ? { cols: out.columns, rows: out.rows } : { cols: 80, rows: 24 };
}

/**
 * The local end of an interactive terminal (`framesh shell`, `exec -t`): the local terminal in raw mode,
 * so every key (Ctrl-C, Ctrl-Z, Ctrl-D) travels as a byte; SIGWINCH sent on as `resize`; escapes after a
 * newline; the remote exit status returned. The local terminal is restored on every way out — remote
 * exit, lost connection, `~.`, SIGTERM/SIGHUP, an exception — before anything is printed.
 */
export async function runTerminalSession(
  client: FrameshClient,
  call: TerminalCall,
  options: TerminalSessionOptions,
): Promise<number> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  const raw = stdin.isTTY === true;
  const restore = (): void => {
    if (raw && stdin.isRaw) stdin.setRawMode(false);
  };
  if (raw) stdin.setRawMode(true);
  // Backstop: Node's own exit path; a crash in here must not leave the terminal raw.
  process.once('exit', restore);
  const crash = (err: unknown): void => {
    restore();
    process.stderr.write(`${describeError(err)}\n`);
    process.exit(EXIT_CLIENT_FAILURE);
  };
  process.once('uncaughtException', crash);

  let leaving: ((status: number) => void) | null = null;
  const left = new Promise<number>((resolve) => {
    leaving = resolve;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    restore();
    call.cancel();
    leaving?.(128 + (signal === 'SIGTERM' ? 15 : 1));
  };
  for (const signal of LEAVING_SIGNALS) process.on(signal, onSignal);

  const onResize = (): void => {
    const { cols, rows } = localTerminalSize();
    call.resize(cols, rows);
  };
  if (stdout.isTTY) stdout.on('resize', onResize);

  const filter = new EscapeFilter(options.escape);
  const onInput = (chunk: Buffer): void => {
    for (const event of filter.feed(chunk)) {
      if (event.type === 'data') {
        if (!call.stdin.write(event.bytes)) {
          stdin.pause();
          call.stdin.once('drain', () => stdin.resume());
        }
      } else if (event.type === 'help') {
        process.stderr.write(`${options.escape !== null ? escapeHelp(options.escape) : ''}\r\n`);
      } else {
        restore();
        process.stderr.write(`Connection to ${options.hostLabel} closed.\n`);
        leaving?.(EXIT_CLIENT_FAILURE);
        return;
      }
    }
  };
  stdin.on('data', onInput);

  const output = new Promise<void>((resolve) => {
    call.stdout.on('data', (chunk: Buffer) => {
      if (!stdout.write(chunk)) {
        call.stdout.pause();
        stdout.once('drain', () => call.stdout.resume());
      }
    });
    call.stdout.once('end', resolve);
    call.stderr.resume();
  });

  const finished = call.exit.then(
    async (result) => {
      await output;
      return exitStatusOf(result);
    },
    (err: unknown) => {
      restore();
      process.stderr.write(`\r\n${describeError(err)}\n`);
      return EXIT_CLIENT_FAILURE;
    },
  );
  try {
    return await Promise.race([finished, left]);
  } finally {
    restore();
    stdin.off('data', onInput);
    stdin.pause();
    stdout.off('resize', onResize);
    for (const signal of LEAVING_SIGNALS) process.off(signal, onSignal);
    process.off('uncaughtException', crash);
    await client.close();
  }
}
