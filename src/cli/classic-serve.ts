import { InvalidArgumentError, type Command } from 'commander';
import type { Logger } from 'pino';
import { CLASSIC_FORMATS, DEFAULT_CLASSIC_MAX_OUTPUT_BYTES, isClassicFormat, type ClassicFormat } from '../classic/classic-format.js';
import { ClassicServerError } from '../classic/server/classic-errors.js';
import { ClassicListener, DEFAULT_CLASSIC_HOST } from '../classic/server/classic-listener.js';
import { isLoopbackHost } from '../security/first-run.js';
import { attachClassicAuditLog } from './classic-audit-log.js';
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

/** The serve flags the classic listener shares with the framesh listener. */
interface SharedServeFlags {
  maxTimeout: number;
  killGrace: number;
  shutdownGrace: number;
  login?: boolean;
  cwd?: string;
  root?: string;
}

/** Adds the --classic* options to `serve`. */
export function addClassicOptions(command: Command): Command {
  return command
    .option('--classic <port>', 'also run a classic-format listener (docs/CLASSIC.md) on this port; 0 picks a free port', parseNonNegativeInt)
    .option('--classic-host <address>', 'address the classic listener binds; non-loopback needs --classic-allow-remote', DEFAULT_CLASSIC_HOST)
    .option('--classic-allow-remote', 'allow a non-loopback --classic-host (classic has no authentication or encryption)')
    .option('--classic-only', 'run only the classic listener, not the framesh one')
    .option('--classic-format <format>', `classic reply format: ${CLASSIC_FORMATS.join(', ')}`, parseFormat, 'json')
    .option('--classic-encoding <name>', 'charset of classic requests (for example gbk)', parseEncoding, 'utf-8')
    .option('--classic-output-encoding <name>', 'transcode UTF-8 command output to this charset (sizes count transcoded bytes)', parseEncoding)
    .option('--classic-greeting <text>', 'text sent once to each classic client right after accept')
    .option('--classic-max-output <bytes>', "cap on one classic command's output; beyond it the output is cut, a line says so, and the command is ended", parseNonNegativeInt, DEFAULT_CLASSIC_MAX_OUTPUT_BYTES)
    .addOption(durationFlag('--classic-timeout <duration>', 'classic per-command run time (default: the --max-timeout value)', 'none'));
}

/**
 * Checks the classic flags before anything listens: --classic-only needs a
 * port, and a non-loopback --classic-host needs --classic-allow-remote (then
 * warns). Throws CLASSIC_REMOTE_REFUSED.
 */
export function checkClassicFlags(flags: ClassicServeFlags, notice: (text: string) => void): void {
  if (flags.classic === undefined) {
    if (flags.classicOnly) throw new InvalidArgumentError('--classic-only needs --classic PORT');
    return;
  }
  if (!isLoopbackHost(flags.classicHost)) {
    if (!flags.classicAllowRemote) {
      throw new ClassicServerError(
        'CLASSIC_REMOTE_REFUSED',
        `refusing the classic listener on non-loopback address ${flags.classicHost}: classic formats have no authentication or encryption, so anyone who could reach it could run commands. Add --classic-allow-remote if you really mean it.`,
      );
    }
    notice(`WARNING: --classic-allow-remote: the classic listener on ${flags.classicHost} has no encryption and no authentication; anyone who can connect can run commands as this account.`);
  }
}

/**
 * Starts the classic listener when --classic was given (flags already passed
 * {@link checkClassicFlags}), logs its events and prints its ready line;
 * resolves with null otherwise.
 */
export async function startClassicListener(flags: ClassicServeFlags & SharedServeFlags, log: Logger): Promise<ClassicListener | null> {
  if (flags.classic === undefined) return null;
  const listener = new ClassicListener({
    format: flags.classicFormat,
    encoding: flags.classicEncoding,
    ...(flags.classicOutputEncoding !== undefined && { outputEncoding: flags.classicOutputEncoding }),
    ...(flags.classicGreeting !== undefined && { greeting: flags.classicGreeting }),
    maxOutputBytes: flags.classicMaxOutput,
    timeoutMs: flags.classicTimeout ?? flags.maxTimeout,
    killGraceMs: flags.killGrace,
    login: flags.login ?? false,
    ...(flags.cwd !== undefined && { cwd: flags.cwd }),
    ...(flags.root !== undefined && { root: flags.root }),
  });
  attachClassicAuditLog(listener, log);
  const address = await listener.listen(flags.classic, flags.classicHost);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  // Scripts and tests wait for this line; it carries the real port when --classic 0 was given.
  process.stdout.write(`framesh classic listening on ${host}:${address.port} (format ${listener.format})\n`);
  return listener;
}

/** `serve --classic-only`: the classic listener alone, closed on SIGTERM/SIGINT. */
export async function runClassicOnly(flags: ClassicServeFlags & SharedServeFlags, log: Logger): Promise<void> {
  const listener = (await startClassicListener(flags, log)) as ClassicListener;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'shutdown', signal, graceMs: flags.shutdownGrace }, 'shutting down');
    listener.close(flags.shutdownGrace).then(() => {
      log.flush();
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function parseFormat(name: string): ClassicFormat {
  if (!isClassicFormat(name)) throw new InvalidArgumentError(`unknown classic format "${name}" (${CLASSIC_FORMATS.join(', ')})`);
  return name;
}
