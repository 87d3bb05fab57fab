import { Command, InvalidArgumentError, Option } from 'commander';
import { createServer, DEFAULT_HOST, DEFAULT_KILL_GRACE_MS, DEFAULT_PORT, DEFAULT_SHUTDOWN_GRACE_MS } from '../server/server.js';
import {
  DEFAULT_AUTH_FAILURE_DELAY_MS,
  DEFAULT_AUTH_GRACE_MS,
  DEFAULT_KEEPALIVE_COUNT_MAX,
  DEFAULT_KEEPALIVE_INTERVAL_MS,
  DEFAULT_MAX_STARTUPS,
  DEFAULT_PER_SOURCE_MAX_STARTUPS,
} from '../server/server-security.js';
import { parseStartupsPolicy, type StartupsPolicy } from '../server/startup-limits.js';
import { DEFAULT_LIMITS } from '../protocol/constants.js';
import { ensureHome, homeFile, resolveHome } from '../security/framesh-home.js';
import { authorizeOwnKeyOnFirstRun, isLoopbackHost } from '../security/first-run.js';
import { attachAuditLog } from './audit-log.js';
import { addClassicOptions, checkClassicFlags, runClassicOnly, startClassicListener, type ClassicServeFlags } from './classic-serve.js';
import { describeError } from './exit-status.js';
import { parseNonNegativeInt } from './target.js';

interface ServeFlags extends ClassicServeFlags {
  host: string;
  port: number;
  maxTimeout: number;
  login?: boolean;
  maxChannels: number;
  killGrace: number;
  shutdownGrace: number;
  cwd?: string;
  root?: string;
  logLevel: string;
  logFile?: string;
  insecure?: boolean;
  insecureAllowRemote?: boolean;
  authorizedKeys?: string;
  authGrace: number;
  maxStartups: StartupsPolicy;
  perSourceMaxStartups: number;
  authFailureDelay: number;
  keepaliveInterval: number;
  keepaliveCount: number;
}

export function serveCommand(): Command {
  const command = new Command('serve')
    .description('run the framesh server (TLS and key authentication unless --insecure)')
    .option('--host <address>', 'address to listen on', DEFAULT_HOST)
    .option('--port <port>', 'port to listen on; 0 picks a free port', parseNonNegativeInt, DEFAULT_PORT)
    .option('--authorized-keys <file>', 'public keys allowed in, re-read on change (default $FRAMESH_HOME/authorized_keys)')
    .option('--max-timeout <ms>', 'cap on every command run time; 0 for none', parseNonNegativeInt, 0)
    .option('--login', "run every command through the account's login shell ($SHELL -lc)")
    .option('--cwd <dir>', 'working directory for commands that name none (default: home directory)')
    .option('--root <dir>', 'file root: put/get paths are resolved under it and cannot leave it (default: home directory)')
    .option('--max-channels <n>', 'limit: commands open at once per connection', parseNonNegativeInt, DEFAULT_LIMITS.maxChannels)
    .option('--auth-grace <ms>', 'limit: time from connect to successful authentication', parseNonNegativeInt, DEFAULT_AUTH_GRACE_MS)
    .addOption(
      new Option(
        '--max-startups <start:rate:full>',
        'limit: connections not yet authenticated; from START on, new ones are dropped with RATE% probability rising to 100% at FULL (a single N: refuse beyond N)',
      )
        .argParser(parseStartupsFlag)
        .default(DEFAULT_MAX_STARTUPS, `${DEFAULT_MAX_STARTUPS.start}:${DEFAULT_MAX_STARTUPS.rate}:${DEFAULT_MAX_STARTUPS.full}`),
    )
    .option('--per-source-max-startups <n>', 'limit: connections not yet authenticated from one address; 0 for no limit', parseNonNegativeInt, DEFAULT_PER_SOURCE_MAX_STARTUPS)
    .option('--auth-failure-delay <ms>', 'limit: delay before answering a failed authentication, doubling per failure from the same address (max 5 s)', parseNonNegativeInt, DEFAULT_AUTH_FAILURE_DELAY_MS)
    .option('--keepalive-interval <ms>', 'limit: ping a silent client after this long; 0 disables', parseNonNegativeInt, DEFAULT_KEEPALIVE_INTERVAL_MS)
    .option('--keepalive-count <n>', 'limit: close a client silent for this many intervals (its commands are ended)', parseNonNegativeInt, DEFAULT_KEEPALIVE_COUNT_MAX)
    .option('--kill-grace <ms>', 'time between SIGTERM and SIGKILL when the server ends a command', parseNonNegativeInt, DEFAULT_KILL_GRACE_MS)
    .option('--shutdown-grace <ms>', 'on SIGTERM/SIGINT, time running commands get to finish', parseNonNegativeInt, DEFAULT_SHUTDOWN_GRACE_MS)
    .option('--log-level <level>', 'audit log level: debug, info, warn, error', 'info')
    .option('--log-file <file>', 'write the audit log (JSON lines) to this file instead of stderr')
    .option('--insecure', 'plain TCP without TLS or keys (for tests and trusted loopback only)')
    .option('--insecure-allow-remote', 'allow --insecure on a non-loopback --host');
  return addClassicOptions(command)
    .action(async (flags: ServeFlags) => {
      try {
        await runServe(flags);
      } catch (err) {
        process.stderr.write(`${describeError(err)}\n`);
        process.exit(1);
      }
    });
}

async function runServe(flags: ServeFlags): Promise<void> {
  // Imported here so that client subcommands start without loading the logger.
  const { pino } = await import('pino');
  const log = pino({ level: flags.logLevel, base: null }, pino.destination(flags.logFile ? { dest: flags.logFile, mkdir: true, sync: false } : 2));
  const notice = (text: string): void => {
    process.stderr.write(`framesh: ${text}\n`);
  };
  checkClassicFlags(flags, notice);
  if (flags.classicOnly) return runClassicOnly(flags, log);
  if (flags.insecure) {
    if (!isLoopbackHost(flags.host) && !flags.insecureAllowRemote) {
      throw new Error(`refusing --insecure on non-loopback address ${flags.host}: anyone who can reach it could run commands. Add --insecure-allow-remote if you really mean it.`);
    }
    notice('WARNING: --insecure: no encryption and no authentication; anyone who can connect can run commands as this account.');
  } else {
    const home = ensureHome(resolveHome());
    const authorizedKeys = flags.authorizedKeys ?? homeFile(home, 'authorized_keys');
    const firstRun = flags.authorizedKeys ? null : authorizeOwnKeyOnFirstRun(home, authorizedKeys);
    if (firstRun) {
      notice(
        `no authorized_keys found: authorized this account's own key ${firstRun.identityFile}.pub (${firstRun.fingerprint})` +
          `${firstRun.identityCreated ? ', made just now' : ''}.\n` +
          `framesh: to let another key in, append its .pub line (framesh or OpenSSH ssh-ed25519 format) to ${authorizedKeys}`,
      );
    }
  }
  const server = createServer({
    insecure: flags.insecure ?? false,
    ...(flags.authorizedKeys !== undefined && { authorizedKeysFile: flags.authorizedKeys }),
    maxTimeoutMs: flags.maxTimeout,
    login: flags.login ?? false,
    maxChannels: flags.maxChannels,
    killGraceMs: flags.killGrace,
    authGraceMs: flags.authGrace,
    maxStartups: flags.maxStartups,
    perSourceMaxStartups: flags.perSourceMaxStartups,
    authFailureDelayMs: flags.authFailureDelay,
    keepaliveIntervalMs: flags.keepaliveInterval,
    keepaliveCountMax: flags.keepaliveCount,
    ...(flags.cwd !== undefined && { cwd: flags.cwd }),
    ...(flags.root !== undefined && { root: flags.root }),
  });
  attachAuditLog(server, log);
  const address = await server.listen(flags.port, flags.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  if (server.fingerprint) {
    notice(`host key fingerprint ${server.fingerprint}${server.hostKeyCreated ? ' (new host key made)' : ''}`);
  }
  // The one line scripts wait for: it carries the real port when --port 0 was given.
  process.stdout.write(`framesh listening on ${host}:${address.port}\n`);
  const classic = await startClassicListener(flags, log);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'shutdown', signal, graceMs: flags.shutdownGrace }, 'shutting down');
    Promise.all([server.close(flags.shutdownGrace), classic?.close(flags.shutdownGrace)]).then(() => {
      log.flush();
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function parseStartupsFlag(text: string): StartupsPolicy {
  try {
    return parseStartupsPolicy(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}
