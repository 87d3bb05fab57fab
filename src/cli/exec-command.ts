import { Command, InvalidArgumentError, Option } from './commander.js';
import { addFanoutReportOptions, addHostSelectionOptions, wantsManyHosts } from './fanout-options.js';
import { addConnectionOptions } from './connection-options.js';
import { durationFlag } from './duration.js';
import { exitStatusHelp } from './exit-status.js';
import { parseEncoding } from './output-decoder.js';
import type { ExecFlags } from './exec-run.js';
import { parseEscape } from './shell-command.js';
import type { FanoutFlags } from './fanout-exec.js';

const EXEC_HELP =
  exitStatusHelp([
    ['1-125', "the remote command's own exit status"],
    ['124', "the command ran past --timeout (or the server's --max-timeout)"],
    ['126', 'the program exists but cannot be run (permission denied)'],
    ['127', 'the program was not found on the server'],
    ['128+N', 'signal N ended the remote command (137 for SIGKILL)'],
    ['141', 'local stdout or stderr closed early (| head): the remote command was ended, quietly'],
    ['255', 'framesh failed: connect, authentication, protocol, connection lost, or the server shut down'],
  ]) +
  '\nFramesh options may also follow HOST, before -- or the command: framesh exec web1 --timeout 30s -- make.\n' +
  'Durations take a unit (500ms, 30s, 5m, 1h); a bare number is seconds.\n' +
  'Ctrl-C sends SIGINT to the remote command; press it 3 times to leave without waiting.\n';

const FANOUT_HELP =
  '\nMany hosts (-H, --hosts): output lines are prefixed [HOST] (stderr [HOST]!); a summary follows on a terminal.\n' +
  'Exit status then: 0 every host exited 0; 1 a command failed, timed out or was not started; 255 a host could not\n' +
  'be reached or its connection failed. Example: framesh exec -H web[01:04],@db --parallel 8 -- uptime\n';

export function execCommand(): Command {
  const base = new Command('exec')
    .description('run one command on a server; its exit status becomes ours')
    .argument('<host[:port]>', 'server address (default port 7022)')
    .argument('[command...]', 'after --: one argument runs as a shell string, several run as an argv without a shell')
    .option('--encoding <name>', 'decode remote output from this charset (for example gbk) to UTF-8', parseEncoding)
    .addOption(
      durationFlag(
        '--timeout <duration>',
        'server ends the command after this long (500ms, 30s, 5m; bare number: seconds)',
        'none',
      ),
    )
    .option('--cwd <remote-dir>', 'working directory on the server')
    .option('-e, --env <KEY=VALUE>', 'add a variable to the command environment (repeatable)', collectEnv, [])
    .option('--login', "run through the server account's login shell ($SHELL -lc)")
    .option('-n, --no-stdin', 'do not forward local stdin (the command reads EOF at once)')
    .option('-t, --tty', 'run the command on a terminal (for vim, top, sudo prompts), even when stdin is not one')
    .option('-T, --no-tty', 'no terminal (the default)')
    .addOption(
      new Option('--escape <char>', 'with -t: escape character for ~. ~? ~~, or "none"')
        .argParser(parseEscape)
        .default(0x7e, '~'),
    );
  const command = addFanoutReportOptions(addHostSelectionOptions(base, 'run on'), 'output, exits, errors')
    .option('--group', "many hosts: print each host's output in one block when it ends")
    .option('--stdin', 'many hosts: send the same local stdin to every host (read whole first)')
    .addHelpText('after', EXEC_HELP + FANOUT_HELP)
    .action(async (targetText: string, words: string[]) => {
      const early = command.opts<FanoutFlags>();
      if (wantsManyHosts(early)) {
        // Many hosts: the first positional is the command's first word, not a host.
        const all = [targetText, ...words];
        const fanoutWords = all[0] === '--' ? all.slice(1) : splitOptionsAfterHost(command, all);
        if (fanoutWords.length === 0) command.error('error: missing command after --');
        const flags = command.opts<FanoutFlags & { env: string[] }>();
        const { runFanoutExec } = await import('./fanout-exec.js');
        const forwardStdin = flags.stdin && command.getOptionValueSource('stdin') === 'cli';
        const { parseEnv } = await import('./exec-run.js');
        process.exitCode = await runFanoutExec(fanoutWords, { ...flags, forwardStdin }, parseEnv(flags.env));
        return;
      }
      const commandWords = splitOptionsAfterHost(command, words);
      if (commandWords.length === 0) command.error('error: missing command after --');
      // Loaded only now, so `--help` and usage errors start without the client.
      const { runExec } = await import('./exec-run.js');
      process.exitCode = await runExec(targetText, commandWords, command.opts<ExecFlags>());
    });
  // Everything after HOST is left to the action (splitOptionsAfterHost), not parsed as exec's options.
  return addConnectionOptions(command).passThroughOptions();
}

/**
 * Words after the host pass through untouched (so `framesh exec host ls -l` works). As ssh does,
 * framesh's own options may still follow the host, up to `--` or the first word that is not one of
 * them: `framesh exec host --cwd /srv -- ls`, `framesh exec host -n ls -l`. An unknown option there is
 * a usage error rather than the name of a command.
 */
function splitOptionsAfterHost(command: Command, words: string[]): string[] {
  const separator = words.indexOf('--');
  if (separator === 0) return words.slice(1);
  if (!words[0]?.startsWith('-')) return words;
  const { operands, unknown } = command.parseOptions(separator < 0 ? words : words.slice(0, separator));
  if (unknown.length > 0)
    command.error(`error: unknown option '${unknown[0]}' (a command that starts with - goes after --)`);
  if (separator < 0) return operands;
  if (operands.length > 0)
    command.error(`error: "${operands[0]}" before -- is not an option of exec (the command goes after --)`);
  return words.slice(separator + 1);
}

function collectEnv(value: string, previous: string[]): string[] {
  if (value.indexOf('=') <= 0) throw new InvalidArgumentError(`expected KEY=VALUE, got "${value}"`);
  return [...previous, value];
}
