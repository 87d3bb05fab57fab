import { InvalidArgumentError, type Command } from './commander.js';
import {
  CLASSIC_FORMATS,
  DEFAULT_CLASSIC_HOST,
  DEFAULT_CLASSIC_MAX_OUTPUT_BYTES,
  isClassicFormat,
  type ClassicFormat,
} from '../classic/classic-format.js';
import { durationFlag } from './duration.js';
import { parseEncoding } from './output-decoder.js';
import { parseNonNegativeInt } from './target.js';

/** The `serve` flags of the classic listener (docs/CLASSIC.md, "The server"). */
export interface ClassicServeFlags {
  classic?: number;
  classicHost: string;
  classicAllowRemote?: boolean;
  classicOnly?: boolean;
  classicFormat: ClassicFormat;
  classicEncoding: string;
  classicOutputEncoding?: string;
  classicGreeting?: string;
  classicMaxOutput: number;
  classicTimeout?: number;
}

/** Adds the --classic* options to `serve`. */
export function addClassicOptions(command: Command): Command {
  return command
    .option(
      '--classic <port>',
      'also run a classic-format listener (docs/CLASSIC.md) on this port; 0 picks a free port',
      parseNonNegativeInt,
    )
    .option(
      '--classic-host <address>',
      'address the classic listener binds; non-loopback needs --classic-allow-remote',
      DEFAULT_CLASSIC_HOST,
    )
    .option(
      '--classic-allow-remote',
      'allow a non-loopback --classic-host (classic has no authentication or encryption)',
    )
    .option('--classic-only', 'run only the classic listener, not the framesh one')
    .option('--classic-format <format>', `classic reply format: ${CLASSIC_FORMATS.join(', ')}`, parseFormat, 'json')
    .option('--classic-encoding <name>', 'charset of classic requests (for example gbk)', parseEncoding, 'utf-8')
    .option(
      '--classic-output-encoding <name>',
      'transcode UTF-8 command output to this charset (sizes count transcoded bytes)',
      parseEncoding,
    )
    .option('--classic-greeting <text>', 'text sent once to each classic client right after accept')
    .option(
      '--classic-max-output <bytes>',
      "cap on one classic command's output; beyond it the output is cut, a line says so, and the command is ended",
      parseNonNegativeInt,
      DEFAULT_CLASSIC_MAX_OUTPUT_BYTES,
    )
    .addOption(
      durationFlag(
        '--classic-timeout <duration>',
        'classic per-command run time (default: the --max-timeout value)',
        'none',
      ),
    );
}

function parseFormat(name: string): ClassicFormat {
  if (!isClassicFormat(name))
    throw new InvalidArgumentError(`unknown classic format "${name}" (${CLASSIC_FORMATS.join(', ')})`);
  return name;
}
