import type { Command } from 'commander';
import { durationFlag } from './duration.js';
import { collectSetting, parsePortNumber, settingsHelp, type ConnectionSettings } from './settings.js';

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
