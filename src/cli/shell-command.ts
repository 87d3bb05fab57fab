import { Command, InvalidArgumentError, Option } from 'commander';
import type { FrameshClient } from '../client/client.js';
import { addConnectionOptions, connectFromFlags, defaultPortOf, type ConnectionFlags } from './connection-options.js';
import { parseEscapeChar } from './escape-filter.js';
import { describeError, EXIT_CLIENT_FAILURE, exitStatusHelp, exitStatusOf } from './exit-status.js';
import { parseEnv } from './exec-run.js';
import { runLineShell } from './line-shell.js';
import { localLocale } from './local-locale.js';
import { parseEncoding } from './output-decoder.js';
import { parseTarget } from './target.js';
import { localTerminalSize, runTerminalSession } from './terminal-session.js';

interface ShellFlags extends ConnectionFlags {
  encoding?: string;
  login?: boolean;
  line?: boolean;
  /** -t: true, -T: false, neither: undefined. */
  tty?: boolean;
  escape: number | null;
  cwd?: string;
  env: string[];
}

export function shellCommand(): Command {
  const command = new Command('shell')
    .description("the server account's login shell: a full terminal when stdin is one, else line mode")
    .argument('<host[:port]>', 'server address (default port 7022)')
    .option('-t, --tty', 'force a terminal, even when stdin is not one')
    .option('-T, --no-tty', 'no terminal: the remote login shell reads commands from stdin (as ssh -T)')
    .option('--line', 'line mode: each line runs as its own command (the default when stdin is not a terminal)')
    .addOption(
      new Option('-e, --escape <char>', 'escape character for ~. ~? ~~, or "none"')
        .argParser(parseEscape)
        .default(0x7e, '~'),
    )
    .option('--cwd <dir>', 'working directory on the server (default: the account home)')
    .option('--env <KEY=VALUE>', 'add a variable to the shell environment (repeatable)', collectEnv, [])
    .option(
      '--encoding <name>',
      'line mode: decode remote output from this charset (for example gbk) to UTF-8',
      parseEncoding,
    )
    .option('--login', "line mode: run each line through the server account's login shell")
    .addHelpText(
      'after',
      [
        '',
        'Terminal mode: every key goes to the remote shell (Ctrl-C, Ctrl-Z, Ctrl-D included); the window size follows',
        'the local one; the remote exit status becomes ours (255 when the connection failed). After a newline:',
        '  ~.  disconnect    ~?  list escapes    ~~  send one ~',
        'Line mode: empty lines are ignored; exit, quit or EOF (Ctrl-D) leave; Ctrl-C interrupts the running',
        'command, not the session; commands get no stdin (they read EOF).',
      ].join('\n') + exitStatusHelp([['255', 'framesh failed: connect, authentication, or the connection was lost']]),
    )
    .action(async (targetText: string, flags: ShellFlags) => {
      process.exitCode = await runShell(targetText, flags);
    });
  return addConnectionOptions(command);
}

type Mode = 'terminal' | 'pipes' | 'line';

function chooseMode(flags: ShellFlags): Mode {
  if (flags.line) return 'line';
  if (flags.tty === true) return 'terminal';
  if (flags.tty === false) return 'pipes';
  return process.stdin.isTTY ? 'terminal' : 'line';
}

async function runShell(targetText: string, flags: ShellFlags): Promise<number> {
  const target = parseTarget(targetText, defaultPortOf(flags));
  let client: FrameshClient;
  try {
    client = await connectFromFlags(target, flags);
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    return EXIT_CLIENT_FAILURE;
  }
  const mode = chooseMode(flags);
  if (mode === 'line') {
    return runLineShell(client, { prompt: `${target.host}>> `, encoding: flags.encoding, login: flags.login ?? false });
  }
  const common = {
    ...(flags.cwd !== undefined && { cwd: flags.cwd }),
    ...(flags.env.length > 0 && { env: parseEnv(flags.env) }),
    locale: localLocale(),
  };
  if (mode === 'pipes') return runPipedShell(client, common);
  if (!client.server.capabilities.includes('pty')) {
    process.stderr.write('framesh: this server cannot make terminals (PTY_UNAVAILABLE); try --line or -T\n');
    await client.close();
    return EXIT_CLIENT_FAILURE;
  }
  const call = client.shell({ ...common, pty: localTerminalSize() });
  return runTerminalSession(client, call, { escape: flags.escape, hostLabel: target.host });
}

/** `shell -T`: the remote login shell over pipes, stdin forwarded and closed at EOF. */
async function runPipedShell(
  client: FrameshClient,
  options: { cwd?: string; env?: Record<string, string>; locale: Record<string, string> },
): Promise<number> {
  const call = client.shell(options);
  call.stdout.pipe(process.stdout);
  call.stderr.pipe(process.stderr);
  process.stdin.pipe(call.stdin);
  try {
    return exitStatusOf(await call.exit);
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    return EXIT_CLIENT_FAILURE;
  } finally {
    process.stdin.unpipe(call.stdin);
    process.stdin.destroy();
    await client.close();
  }
}

export function parseEscape(text: string): number | null {
  try {
    return parseEscapeChar(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function collectEnv(value: string, previous: string[]): string[] {
  if (value.indexOf('=') <= 0) throw new InvalidArgumentError(`expected KEY=VALUE, got "${value}"`);
  return [...previous, value];
}
