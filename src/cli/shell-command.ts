import { Command, InvalidArgumentError, Option } from './commander.js';
import { addConnectionOptions } from './connection-options.js';
import { parseEscapeChar } from './escape-filter.js';
import { exitStatusHelp } from './exit-status.js';
import { parseEncoding } from './output-decoder.js';
import type { ShellFlags } from './shell-run.js';

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
      // Loaded only now, so `--help` and the other commands start without the client.
      const { runShell } = await import('./shell-run.js');
      process.exitCode = await runShell(targetText, flags);
    });
  return addConnectionOptions(command);
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
