import { InvalidArgumentError } from './commander.js';
import type { Logger } from 'pino';
import { ClassicServerError } from '../classic/server/classic-errors.js';
import { ClassicListener } from '../classic/server/classic-listener.js';
import { isLoopbackHost } from '../security/first-run.js';
import { attachClassicAuditLog } from './classic-audit-log.js';
import type { ClassicServeFlags } from './classic-serve-options.js';

/** The serve flags the classic listener shares with the framesh listener. */
interface SharedServeFlags {
  maxTimeout: number;
  killGrace: number;
  shutdownGrace: number;
  login?: boolean;
  cwd?: string;
  root?: string;
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
    notice(
      `WARNING: --classic-allow-remote: the classic listener on ${flags.classicHost} has no encryption and no authentication; anyone who can connect can run commands as this account.`,
    );
  }
}

/**
 * Starts the classic listener when --classic was given (flags already passed
 * {@link checkClassicFlags}), logs its events and prints its ready line;
 * resolves with null otherwise.
 */
export async function startClassicListener(
  flags: ClassicServeFlags & SharedServeFlags,
  log: Logger,
): Promise<ClassicListener | null> {
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
