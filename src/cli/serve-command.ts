import { Command } from 'commander';
import { pino } from 'pino';
import { createServer, DEFAULT_HOST, DEFAULT_KILL_GRACE_MS, DEFAULT_PORT, DEFAULT_SHUTDOWN_GRACE_MS } from '../server/server.js';
import { DEFAULT_LIMITS } from '../protocol/constants.js';
import { attachAuditLog } from './audit-log.js';
import { parseNonNegativeInt } from './target.js';

interface ServeFlags {
  host: string;
  port: number;
  maxTimeout: number;
  login?: boolean;
  maxChannels: number;
  killGrace: number;
  shutdownGrace: number;
  cwd?: string;
  logLevel: string;
  logFile?: string;
  insecure?: boolean;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('run the framesh server')
    .option('--host <address>', 'address to listen on', DEFAULT_HOST)
    .option('--port <port>', 'port to listen on; 0 picks a free port', parseNonNegativeInt, DEFAULT_PORT)
    .option('--max-timeout <ms>', 'cap on every command run time; 0 for none', parseNonNegativeInt, 0)
    .option('--login', "run every command through the account's login shell ($SHELL -lc)")
    .option('--max-channels <n>', 'most commands open at once per connection', parseNonNegativeInt, DEFAULT_LIMITS.maxChannels)
    .option('--kill-grace <ms>', 'time between SIGTERM and SIGKILL when the server ends a command', parseNonNegativeInt, DEFAULT_KILL_GRACE_MS)
    .option('--shutdown-grace <ms>', 'on SIGTERM/SIGINT, time running commands get to finish', parseNonNegativeInt, DEFAULT_SHUTDOWN_GRACE_MS)
    .option('--cwd <dir>', 'working directory for commands that name none (default: home directory)')
    .option('--log-level <level>', 'audit log level: debug, info, warn, error', 'info')
    .option('--insecure', 'plain TCP without TLS or keys (for tests and trusted loopback only)')
    .option('--log-file <file>', 'write the audit log (JSON lines) to this file instead of stderr')
    .action(async (flags: ServeFlags) => {
      await runServe(flags);
    });
}

async function runServe(flags: ServeFlags): Promise<void> {
  const log = pino({ level: flags.logLevel, base: null }, pino.destination(flags.logFile ? { dest: flags.logFile, mkdir: true, sync: false } : 2));
  const server = createServer({
    insecure: flags.insecure ?? false,
    maxTimeoutMs: flags.maxTimeout,
    login: flags.login ?? false,
    maxChannels: flags.maxChannels,
    killGraceMs: flags.killGrace,
    ...(flags.cwd !== undefined && { cwd: flags.cwd }),
  });
  attachAuditLog(server, log);
  const address = await server.listen(flags.port, flags.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  // The one line scripts wait for: it carries the real port when --port 0 was given.
  process.stdout.write(`framesh listening on ${host}:${address.port}\n`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'shutdown', signal, graceMs: flags.shutdownGrace }, 'shutting down');
    server.close(flags.shutdownGrace).then(() => {
      log.flush();
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
