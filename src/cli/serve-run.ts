import { mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Pino from 'pino';
import type { Logger } from 'pino';
import { createServer, type FrameshServer } from '../server/server.js';
import type { StartupsPolicy } from '../server/startup-limits.js';
import { ensureHome, homeFile, resolveHome } from '../security/framesh-home.js';
import { authorizeOwnKeyOnFirstRun, isLoopbackHost } from '../security/first-run.js';
import { attachAuditLog } from './audit-log.js';
import { checkClassicFlags, runClassicOnly, startClassicListener } from './classic-serve.js';
import type { ClassicServeFlags } from './classic-serve-options.js';
import type { WebServeFlags } from './web-serve-options.js';

export interface ServeFlags extends ClassicServeFlags, WebServeFlags {
  host: string;
  port: number;
  maxTimeout: number;
  login?: boolean;
  maxChannels: number;
  killGrace: number;
  shutdownGrace: number;
  cwd?: string;
  root?: string;
  partialMaxAge: number;
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
  maxTerminals: number;
  record?: string;
  recordInput?: boolean;
}

/** `framesh serve`'s work, once its flags are parsed: listen, log one ready line, stop on SIGTERM/SIGINT. */
export async function runServe(flags: ServeFlags): Promise<void> {
  // Required here, so that client subcommands start without loading the logger (and with require(), which
  // the CLI's bundle keeps as it is: tools/bundle-cli.mjs).
  const { pino } = createRequire(import.meta.url)('pino') as typeof Pino;
  const log = pino(
    { level: flags.logLevel, base: null },
    pino.destination(flags.logFile ? { dest: flags.logFile, mkdir: true, sync: false } : 2),
  );
  const notice = (text: string): void => {
    process.stderr.write(`framesh: ${text}\n`);
  };
  checkClassicFlags(flags, notice);
  if (flags.recordInput && flags.record === undefined) throw new Error('--record-input needs --record DIR');
  if (flags.classicOnly) return runClassicOnly(flags, log);
  if (flags.insecure) {
    if (!isLoopbackHost(flags.host) && !flags.insecureAllowRemote) {
      throw new Error(
        `refusing --insecure on non-loopback address ${flags.host}: anyone who can reach it could run commands. Add --insecure-allow-remote if you really mean it.`,
      );
    }
    notice(
      'WARNING: --insecure: no encryption and no authentication; anyone who can connect can run commands as this account.',
    );
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
    partialMaxAgeMs: flags.partialMaxAge,
    maxTerminals: flags.maxTerminals,
    ...(flags.record !== undefined && { record: prepareRecordDir(flags.record) }),
    recordInput: flags.recordInput ?? false,
    ...(flags.root !== undefined && { root: flags.root }),
  });
  attachAuditLog(server, log);
  // Loaded only with --web: ws and the page's assets are not needed otherwise.
  const web = flags.web === undefined ? null : await (await import('./web-serve.js')).prepareWeb(server, flags, log);
  notice(`commands start with ${server.launcherDescription}`);
  log.info({ event: 'launcher', launcher: server.launcherDescription });
  const address = await server.listen(flags.port, flags.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  if (server.fingerprint) {
    notice(`host key fingerprint ${server.fingerprint}${server.hostKeyCreated ? ' (new host key made)' : ''}`);
  }
  // The one line scripts wait for: it carries the real port when --port 0 was given.
  process.stdout.write(`framesh listening on ${host}:${address.port}\n`);
  const classic = await startClassicListener(flags, log);
  const webService = web ? await web.start() : null;
  // One audit line that says the service is up and with what, for journald and log collectors.
  log.info(
    {
      event: 'ready',
      address: `${host}:${address.port}`,
      tls: !flags.insecure,
      launcher: server.launcherDescription,
      ...(server.fingerprint && { fingerprint: server.fingerprint }),
      ...(server.authorizedKeysFile && { authorizedKeysFile: server.authorizedKeysFile }),
    },
    'ready',
  );
  reloadKeysOnHangup(server, log);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'shutdown', signal, graceMs: flags.shutdownGrace }, 'shutting down');
    Promise.all([server.close(flags.shutdownGrace), classic?.close(flags.shutdownGrace), webService?.close()]).then(
      () => {
        log.flush();
        process.exit(0);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/**
 * SIGHUP re-reads the host key and authorized_keys now (as sshd re-reads its configuration), for a
 * service manager's `reload`; it no longer ends the server. authorized_keys is also re-read when it
 * changes, so this is for a rotated host key, or to see at once what a new authorized_keys holds.
 */
function reloadKeysOnHangup(server: FrameshServer, log: Logger): void {
  process.on('SIGHUP', () => {
    server.reloadKeys().then(
      (keys) => log.info({ event: 'reload', signal: 'SIGHUP', ...keys }, 'keys re-read'),
      (err: unknown) =>
        log.error(
          { event: 'reload', signal: 'SIGHUP', ...errorFields(err) },
          'keys not re-read; the previous keys stay in use',
        ),
    );
  });
}

function errorFields(err: unknown): Record<string, string> {
  const code = (err as { code?: unknown }).code;
  return { error: err instanceof Error ? err.message : String(err), ...(typeof code === 'string' && { code }) };
}

/** The recording directory, made 0700 if missing: recordings hold whatever appeared on the terminals. */
function prepareRecordDir(dir: string): string {
  const absolute = path.resolve(dir);
  mkdirSync(absolute, { recursive: true, mode: 0o700 });
  if (!statSync(absolute).isDirectory()) throw new Error(`--record ${dir} is not a directory`);
  return absolute;
}
