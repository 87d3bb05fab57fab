import { Command, InvalidArgumentError, Option } from './commander.js';
import { CLASSIC_FORMATS, DEFAULT_MAX_REPLY_BYTES } from '../classic/classic-format.js';
import type { ClassicTarget } from '../classic/client/classic-connect.js';
import { durationFlag } from './duration.js';
import { exitStatusHelp } from './exit-status.js';
import { parseEncoding } from './output-decoder.js';
import { parseTarget } from './target.js';
import type { ClassicFlags, Mode } from './classic-run.js';

const DEFAULT_IDLE_MS = 200;
const DEFAULT_TIMEOUT_MS = 60_000;

const HELP = `
Examples:
  framesh classic 127.0.0.1:9999                     a >> prompt (lines from a terminal or a pipe)
  framesh classic 127.0.0.1:9999 -- ls -l            one command
  framesh classic 127.0.0.1:9999 --format ack -- df  a server that waits for recv_ready
  framesh classic 127.0.0.1:9999 put notes.txt       upload; the server stores the base name

A reply is printed byte for byte (the remote stdout and stderr, mixed as the classic formats carry them).
json, length and ack announce each reply's size, so replies never mix; raw has no framing, so framesh
guesses that a reply ended after --idle ms without data, and says so.
At the prompt: empty lines are skipped; exit, quit or EOF (Ctrl-D) leave; Ctrl-C while waiting leaves.
Durations take a unit (500ms, 30s, 5m); a bare number is seconds.
${exitStatusHelp([
  ['130', 'Ctrl-C while a reply was awaited'],
  ['141', 'stdout was closed early (| head)'],
  ['255', 'the connection failed or timed out, a reply broke its format, or the file to put cannot be read'],
])}`;

/** `framesh classic HOST:PORT`: a client for existing classic socket remote-exec servers (docs/CLASSIC.md). */
export function classicCommand(): Command {
  const command = new Command('classic')
    .description('talk to a classic socket remote-exec server (the Python socket + subprocess + struct + json kind)')
    .argument('<host:port>', 'the classic server; the port is required', parseClassicTarget)
    .argument('[words...]', '"-- CMD" runs one command; "put FILE" uploads FILE; nothing opens a >> prompt')
    .addOption(
      new Option('--format <name>', 'the reply format the server speaks').choices(CLASSIC_FORMATS).default('json'),
    )
    .option('--greeting', 'read and print the greeting the server sends on accept, before any command')
    .option(
      '--encoding <name>',
      "the server's charset (for example gbk): commands are sent in it, replies decoded from it",
      parseEncoding,
    )
    .addOption(
      durationFlag(
        '--idle <duration>',
        'raw replies and the greeting end after this long without data',
        'refused',
        DEFAULT_IDLE_MS,
      ),
    )
    .addOption(
      new Option('--max-reply <bytes>', 'refuse a reply that announces more bytes (K, M, G suffixes)')
        .argParser(parseByteSize)
        .default(DEFAULT_MAX_REPLY_BYTES, '1G'),
    )
    .addOption(
      durationFlag(
        '--timeout <duration>',
        'give up when the server stays silent this long during a reply, greeting or upload',
        'none',
        DEFAULT_TIMEOUT_MS,
      ),
    )
    .addHelpText('after', HELP)
    .action(async (target: ClassicTarget, words: string[], flags: ClassicFlags) => {
      const mode = chooseMode(command, words);
      // Loaded only now, so `--help` and usage errors start without the classic client.
      const { runClassic } = await import('./classic-run.js');
      process.exitCode = await runClassic(target, mode, flags);
    });
  return command;
}

/**
 * Commander drops the `--`, so whether the words came after it is read from
 * argv: `-- put x` runs the command "put x", `put x` uploads x.
 */
function chooseMode(command: Command, words: string[]): Mode {
  const dash = process.argv.indexOf('--');
  if (dash >= 0 && process.argv.length - dash - 1 === words.length) {
    if (words.length === 0) command.error('error: missing command after --');
    return { kind: 'command', text: words.join(' ') };
  }
  if (words.length === 0) return { kind: 'prompt' };
  if (words[0] === 'put' && words.length === 2) return { kind: 'put', file: words[1] as string };
  return command.error(`error: unexpected "${words.join(' ')}": put a command after --, or use put FILE`);
}

/** HOST:PORT with the port required: classic servers have no well-known port. */
function parseClassicTarget(text: string): ClassicTarget {
  const target = parseTarget(text, 0);
  if (target.port === 0) throw new InvalidArgumentError(`no port in "${text}": classic servers need HOST:PORT`);
  return target;
}

const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** Commander parser for byte counts: 1048576, 64K, 512M, 1G (binary units). */
export function parseByteSize(text: string): number {
  const match = /^(\d+)\s*([KMG]?)(?:i?B)?$/i.exec(text.trim());
  const value = match ? Number(match[1]) * (SIZE_UNITS[(match[2] as string).toUpperCase()] as number) : NaN;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new InvalidArgumentError(`expected a size in bytes such as 1048576, 64K or 1G, got "${text}"`);
  return value;
}
