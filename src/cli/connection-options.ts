import type { Command } from 'commander';
import type { FrameshClient } from '../client/client.js';
import { DEFAULT_PORT } from '../protocol/constants.js';
import { durationFlag } from './duration.js';
import { terminalHostKeyPrompt } from './host-trust-prompt.js';
import { cliPassphraseAsker } from './passphrase-prompt.js';
import { collectSetting, parsePortNumber, settingsHelp, type ConnectionSettings } from './settings.js';
import type { Target } from './target.js';
import { withClientConfig } from './client-config-flags.js';

export interface ConnectionFlags {
  connectTimeout?: number;
  insecure?: boolean;
  acceptNew?: boolean;
  fingerprint?: string;
  identity?: string;
  /** -v: 1 phases and decisions; 2 (-vv) also frames. */
  verbose?: number;
  quiet?: boolean;
  /** -p (exec, shell) or -P (put, get), as ssh and scp spell it. */
  port?: number;
  /** -o Key=Value settings (src/cli/settings.ts). */
  option?: ConnectionSettings;
  /** -F: the client configuration file (host aliases and settings). */
  config?: string;
}

/**
 * Options every client subcommand shares. `portFlag` is `-p` for exec and shell (ssh's) and `-P` for
 * put and get (scp's, whose -p keeps times).
 */
export function addConnectionOptions(command: Command, portFlag: '-p' | '-P' = '-p'): Command {
  return addVerbosityOptions(command)
    .option(
      `${portFlag}, --port <port>`,
      'server port when HOST gives none (default 7022; HOST:PORT wins)',
      parsePortNumber,
    )
    .addOption(
      durationFlag(
        '--connect-timeout <duration>',
        'time allowed to connect, verify and authenticate (default 10s)',
        'refused',
      ),
    )
    .option(
      '-i, --identity <file>',
      'private key (ssh-keygen Ed25519/RSA/ECDSA or framesh; default $FRAMESH_HOME/id_ed25519, else ssh-agent); a .pub picks an agent key',
    )
    .option('--accept-new', 'trust and remember a server not yet in known_hosts (for scripts)')
    .option('--fingerprint <SHA256:...>', 'require exactly this server key fingerprint')
    .option(
      '-o, --option <Key=Value>',
      'a connection setting by its ssh_config name (repeatable; see below)',
      collectSetting,
    )
    .option(
      '-F, --config <file>',
      'client configuration file: host aliases and settings (default $FRAMESH_HOME/config)',
    )
    .option('--insecure', 'plain TCP without TLS or keys (for tests and trusted loopback only)')
    .addHelpText('after', settingsHelp())
    .addHelpText(
      'after',
      "\nKeys: an encrypted key's passphrase is asked on the terminal, or read from the program named by FRAMESH_ASKPASS;" +
        '\nwith SSH_AUTH_SOCK set, keys held by ssh-agent are used (no key file needed).',
    );
}

/**
 * -v/-vv and -q, as ssh has them: -v prints connection phases, host-key and authentication
 * decisions to stderr, -vv also each frame; -q leaves out framesh's warnings and notes. put/get
 * already have their own -q (no progress bars, scp's meaning), which also quiets these.
 */
export function addVerbosityOptions(command: Command): Command {
  command.option(
    '-v, --verbose',
    'print connection phases, host-key and auth decisions to stderr (-vv: every frame too)',
    countVerbose,
    0,
  );
  if (!command.options.some((option) => option.short === '-q'))
    command.option('-q, --quiet', "leave out framesh's own warnings and notes");
  return command;
}

function countVerbose(_value: string, previous: number): number {
  return previous + 1;
}

/** Where -v lines go: stderr, each marked with its level as ssh marks them. */
function verboseSink(level: number): ((line: string) => void) | undefined {
  if (level <= 0) return undefined;
  return (line) =>
    process.stderr.write(`${line.startsWith('-> ') || line.startsWith('<- ') ? 'debug2' : 'debug1'}: ${line}\n`);
}

/** The port a HOST without one gets: -p/-P, then -o Port, then 7022. */
export function defaultPortOf(flags: ConnectionFlags): number {
  return flags.port ?? flags.option?.port ?? DEFAULT_PORT;
}

export async function connectFromFlags(written: Target, given: ConnectionFlags): Promise<FrameshClient> {
  const { target, flags } = withClientConfig(written, given);
  if (flags.insecure && !flags.quiet)
    process.stderr.write('framesh: WARNING: --insecure: no encryption and no authentication\n');
  const settings = flags.option ?? {};
  const strict = flags.acceptNew ? 'accept-new' : (settings.strictHostKeyChecking ?? 'ask');
  const confirm = strict === 'ask' ? terminalHostKeyPrompt(flags.quiet ?? false) : null;
  const fingerprint = flags.fingerprint ?? settings.fingerprint;
  const identityFile = flags.identity ?? settings.identityFile;
  const connectTimeoutMs = flags.connectTimeout ?? settings.connectTimeoutMs;
  const debug = verboseSink(flags.verbose ?? 0);
  const askPassphrase = cliPassphraseAsker();
  // Loaded here, not at start-up: `framesh --help` and usage errors need none of the client.
  const { connect } = await import('../client/connect.js');
  return connect({
    host: settings.hostName ?? target.host,
    port: target.port,
    ...(connectTimeoutMs !== undefined && { timeoutMs: connectTimeoutMs }),
    insecure: flags.insecure ?? false,
    ...((strict === 'accept-new' || strict === 'no') && { acceptNew: true }),
    ...(fingerprint !== undefined && { fingerprint }),
    ...(identityFile !== undefined && { identityFile }),
    ...(confirm && { confirmHostKey: confirm }),
    ...(askPassphrase && { askPassphrase }),
    ...(debug && { debug, debugFrames: (flags.verbose ?? 0) >= 2 }),
  });
}
