import { Command, InvalidArgumentError, Option } from './commander.js';
import {
  DEFAULT_AUTH_FAILURE_DELAY_MS,
  DEFAULT_AUTH_GRACE_MS,
  DEFAULT_HOST,
  DEFAULT_KEEPALIVE_COUNT_MAX,
  DEFAULT_KEEPALIVE_INTERVAL_MS,
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_MAX_TERMINALS,
  DEFAULT_PARTIAL_MAX_AGE_MS,
  DEFAULT_PORT,
  DEFAULT_SHUTDOWN_GRACE_MS,
} from '../server/server-defaults.js';
import {
  DEFAULT_MAX_STARTUPS,
  DEFAULT_PER_SOURCE_MAX_STARTUPS,
  parseStartupsPolicy,
  type StartupsPolicy,
} from '../server/startup-limits.js';
import { DEFAULT_LIMITS } from '../protocol/constants.js';
import { addClassicOptions } from './classic-serve-options.js';
import { addWebOptions } from './web-serve-options.js';
import { durationFlag } from './duration.js';
import { describeError, exitStatusHelp } from './exit-status.js';
import { parseNonNegativeInt } from './target.js';
import type { ServeFlags } from './serve-run.js';
import { lifecycle } from './lifecycle.js';

export function serveCommand(): Command {
  const command = new Command('serve')
    .description('run the framesh server (TLS and key authentication unless --insecure)')
    .option('--host <address>', 'address to listen on', DEFAULT_HOST)
    .option('--port <port>', 'port to listen on; 0 picks a free port', parseNonNegativeInt, DEFAULT_PORT)
    .option(
      '--authorized-keys <file>',
      'public keys allowed in, re-read on change (default $FRAMESH_HOME/authorized_keys)',
    )
    .addOption(durationFlag('--max-timeout <duration>', 'cap on every command run time', 'none', 0))
    .option('--login', "run every command through the account's login shell ($SHELL -lc)")
    .option('--cwd <dir>', 'working directory for commands that name none (default: home directory)')
    .option(
      '--root <dir>',
      'file root: put/get paths are resolved under it and cannot leave it (default: home directory)',
    )
    .addOption(
      durationFlag(
        '--partial-max-age <duration>',
        'remove partial uploads nobody resumed for this long (0 keeps them forever)',
        'none',
        DEFAULT_PARTIAL_MAX_AGE_MS,
      ),
    )
    .option(
      '--max-channels <n>',
      'limit: commands open at once per connection',
      parseNonNegativeInt,
      DEFAULT_LIMITS.maxChannels,
    )
    .option(
      '--max-terminals <n>',
      'limit: terminals (shell, exec -t) open at once per connection',
      parseNonNegativeInt,
      DEFAULT_MAX_TERMINALS,
    )
    .option('--record <dir>', 'record every terminal session as an asciicast v2 file (0600) in this directory')
    .option('--record-input', 'with --record: also record what clients type (passwords typed on a terminal included)')
    .addOption(
      durationFlag(
        '--auth-grace <duration>',
        'limit: time from connect to successful authentication',
        'refused',
        DEFAULT_AUTH_GRACE_MS,
      ),
    )
    .addOption(
      new Option(
        '--max-startups <start:rate:full>',
        'limit: connections not yet authenticated; from START on, new ones are dropped with RATE% probability rising to 100% at FULL (a single N: refuse beyond N)',
      )
        .argParser(parseStartupsFlag)
        .default(
          DEFAULT_MAX_STARTUPS,
          `${DEFAULT_MAX_STARTUPS.start}:${DEFAULT_MAX_STARTUPS.rate}:${DEFAULT_MAX_STARTUPS.full}`,
        ),
    )
    .option(
      '--per-source-max-startups <n>',
      'limit: connections not yet authenticated from one address; 0 for no limit',
      parseNonNegativeInt,
      DEFAULT_PER_SOURCE_MAX_STARTUPS,
    )
    .addOption(
      durationFlag(
        '--auth-failure-delay <duration>',
        'limit: delay before answering a failed authentication, doubling per failure from the same address (max 5 s)',
        'none',
        DEFAULT_AUTH_FAILURE_DELAY_MS,
      ),
    )
    .addOption(
      durationFlag(
        '--keepalive-interval <duration>',
        'limit: ping a silent client after this long',
        'none',
        DEFAULT_KEEPALIVE_INTERVAL_MS,
      ),
    )
    .option(
      '--keepalive-count <n>',
      'limit: close a client silent for this many intervals (its commands are ended)',
      parseNonNegativeInt,
      DEFAULT_KEEPALIVE_COUNT_MAX,
    )
    .addOption(
      durationFlag(
        '--kill-grace <duration>',
        'time between SIGTERM and SIGKILL when the server ends a command (0: SIGKILL at once)',
        'none',
        DEFAULT_KILL_GRACE_MS,
      ),
    )
    .addOption(
      durationFlag(
        '--shutdown-grace <duration>',
        'on SIGTERM/SIGINT, time running commands get to finish (0: end them at once)',
        'none',
        DEFAULT_SHUTDOWN_GRACE_MS,
      ),
    )
    .option('--log-level <level>', 'audit log level: debug, info, warn, error', 'info')
    .option('--log-file <file>', 'write the audit log (JSON lines) to this file instead of stderr')
    .option('--insecure', 'plain TCP without TLS or keys (for tests and trusted loopback only)')
    .option('--insecure-allow-remote', 'allow --insecure on a non-loopback --host')
    .addHelpText(
      'after',
      '\nDurations take a unit (500ms, 30s, 5m, 1h); a bare number is seconds.\n' +
        exitStatusHelp([
          ['1', 'the server could not start (address in use, bad key files, --insecure on a remote address)'],
        ]) +
        '  On SIGTERM/SIGINT it exits 0 after the shutdown grace.\n',
    );
  return addWebOptions(addClassicOptions(command)).action(async (flags: ServeFlags) => {
    lifecycle.longRunning = true;
    try {
      // Loaded only now: `serve --help` needs neither the server nor the logger.
      const { runServe } = await import('./serve-run.js');
      await runServe(flags);
    } catch (err) {
      process.stderr.write(`${describeError(err)}\n`);
      process.exit(1);
    }
  });
}

function parseStartupsFlag(text: string): StartupsPolicy {
  try {
    return parseStartupsPolicy(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}
