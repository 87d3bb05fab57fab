import { Command, InvalidArgumentError } from 'commander';
import type { ExecCall } from '../client/exec-call.js';
import { addConnectionOptions, connectFromFlags, type ConnectionFlags } from './connection-options.js';
import { describeError, EXIT_CLIENT_FAILURE, exitStatusOf } from './exit-status.js';
import { outputWriter, parseEncoding } from './output-decoder.js';
import { parseNonNegativeInt, parseTarget } from './target.js';
import { runFanoutExec, type FanoutFlags } from './fanout-exec.js';
import { durationFlag } from './duration.js';

interface ExecFlags extends ConnectionFlags {
  encoding?: string;
  timeout?: number;
  cwd?: string;
  env: string[];
  login?: boolean;
  stdin: boolean;
}

/** Ctrl-C presses after which framesh gives up waiting and leaves, as ssh's escape would. */
const INTERRUPTS_BEFORE_ABANDON = 3;

export function execCommand(): Command {
  const command = new Command('exec')
    .description('run one command on a server; its exit status becomes ours')
    .argument('<host[:port]>', 'server address (default port 7022)')
    .argument('[command...]', 'after --: one argument runs as a shell string, several run as an argv without a shell')
    .option('--encoding <name>', 'decode remote output from this charset (for example gbk) to UTF-8', parseEncoding)
    .addOption(durationFlag('--timeout <duration>', 'server ends the command after this long (500ms, 30s, 5m; a bare number is seconds)', 'none'))
    .option('--cwd <dir>', 'working directory on the server')
    .option('-e, --env <KEY=VALUE>', 'add a variable to the command environment (repeatable)', collectEnv, [])
    .option('--login', "run through the server account's login shell ($SHELL -lc)")
    .option('-n, --no-stdin', 'do not forward local stdin (the command reads EOF at once)')
    .option('-H, --host-list <hosts>', 'run on many hosts: names, HOST:PORT, ranges web[01:20], @group (repeatable, comma-separated)', collectList, undefined)
    .option('--hosts <file>', 'run on the hosts of an inventory: one per line, or Ansible INI/YAML')
    .option('--limit <pattern>', 'keep only these of the selected hosts (Ansible pattern: a:b, !x, &y, globs, groups)')
    .option('--parallel <n>', 'many hosts: connections at once', parsePositiveInt, 32)
    .option('--retries <n>', 'many hosts: connection retries per host, with backoff', parseNonNegativeInt, 0)
    .option('--fail-fast', 'many hosts: start no more hosts after the first failure')
    .option('--group', "many hosts: print each host's output in one block when it ends")
    .option('--json', 'many hosts: one JSON object per line (output, exits, errors)')
    .option('--summary-only', 'many hosts: print only the summary table')
    .option('--stdin', 'many hosts: send the same local stdin to every host (read whole first)')
    .addHelpText(
      'after',
      '\nExit status: the remote exit code; 128+N when a signal N ended it; 124 on timeout; 255 when framesh failed.\nCtrl-C sends SIGINT to the remote command; press it 3 times to leave without waiting.',
    )
    .action(async (targetText: string, words: string[]) => {
      const early = command.opts<FanoutFlags>();
      if (early.hostList !== undefined || early.hosts !== undefined) {
        // Many hosts: the first positional is the command's first word, not a host.
        const all = [targetText, ...words];
        const commandWords = all[0] === '--' ? all.slice(1) : splitOptionsAfterHost(command, all);
        if (commandWords.length === 0) command.error('error: missing command after --');
        const flags = command.opts<FanoutFlags & { env: string[] }>();
        process.exitCode = await runFanoutExec(commandWords, { ...flags, forwardStdin: flags.stdin && command.getOptionValueSource('stdin') === 'cli' }, parseEnv(flags.env));
        return;
      }
      const commandWords = splitOptionsAfterHost(command, words);
      if (commandWords.length === 0) command.error('error: missing command after --');
      process.exitCode = await runExec(targetText, commandWords, command.opts<ExecFlags>());
    });
  return addConnectionOptions(command);
}

/**
 * Words after the host pass through untouched (so `framesh exec host ls -l` works), which leaves
 * framesh's own options there too when a `--` marks where the command starts:
 * `framesh exec host --cwd /srv -- ls`. Those are parsed here; the command is what follows the `--`.
 */
function splitOptionsAfterHost(command: Command, words: string[]): string[] {
  const separator = words.indexOf('--');
  if (separator < 0) return words;
  if (separator === 0) return words.slice(1);
  if (!words[0]?.startsWith('-')) return words;
  const { operands, unknown } = command.parseOptions(words.slice(0, separator));
  if (operands.length > 0 || unknown.length > 0) {
    command.error(`error: ${[...unknown, ...operands][0]} before -- is not an option of exec (the command goes after --)`);
  }
  return words.slice(separator + 1);
}

async function runExec(targetText: string, words: string[], flags: ExecFlags): Promise<number> {
  let client;
  try {
    client = await connectFromFlags(parseTarget(targetText), flags);
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    return EXIT_CLIENT_FAILURE;
  }
  const call = client.exec(words.length === 1 ? (words[0] as string) : words, {
    ...(flags.cwd !== undefined && { cwd: flags.cwd }),
    ...(flags.timeout !== undefined && { timeoutMs: flags.timeout }),
    ...(flags.login && { login: true }),
    env: parseEnv(flags.env),
  });
  const stopForwarding = forwardInterrupts(call);
  const outputDone = Promise.all([pipeOut(call.stdout, process.stdout, flags.encoding), pipeOut(call.stderr, process.stderr, flags.encoding)]);
  if (flags.stdin) process.stdin.pipe(call.stdin);
  else call.stdin.end();
  try {
    const result = await call.exit;
    await outputDone;
    if (result.reason === 'timeout') process.stderr.write(`framesh: command timed out after ${flags.timeout ?? 'the server limit of'} ms (TIMEOUT)\n`);
    return exitStatusOf(result);
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    return EXIT_CLIENT_FAILURE;
  } finally {
    stopForwarding();
    process.stdin.unpipe(call.stdin);
    process.stdin.destroy();
    await client.close();
  }
}

/** Streams remote output to a local stream, honouring the local stream's backpressure. */
function pipeOut(source: NodeJS.ReadableStream, target: NodeJS.WritableStream, encoding: string | undefined): Promise<void> {
  const writer = outputWriter(target as never, encoding);
  return new Promise((resolve) => {
    source.on('data', (chunk: Buffer) => {
      if (!writer.write(chunk)) {
        source.pause();
        target.once('drain', () => source.resume());
      }
    });
    source.once('end', () => {
      writer.end();
      resolve();
    });
  });
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

function collectList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parsePositiveInt(text: string): number {
  const n = parseNonNegativeInt(text);
  if (n === 0) throw new InvalidArgumentError('must be at least 1');
  return n;
}

function collectEnv(value: string, previous: string[]): string[] {
  if (value.indexOf('=') <= 0) throw new InvalidArgumentError(`expected KEY=VALUE, got "${value}"`);
  return [...previous, value];
}

function parseEnv(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}
