import type { Command } from 'commander';
import { connect } from '../client/connect.js';
import type { FrameshClient } from '../client/client.js';
import { terminalHostKeyPrompt } from './host-trust-prompt.js';
import { cliPassphraseAsker } from './passphrase-prompt.js';
import { parseNonNegativeInt, type Target } from './target.js';

export interface ConnectionFlags {
  connectTimeout: number;
  insecure?: boolean;
  acceptNew?: boolean;
  fingerprint?: string;
  identity?: string;
  /** -v: 1 phases and decisions; 2 (-vv) also frames. */
  verbose?: number;
  quiet?: boolean;
}

/** Options every client subcommand shares. */
export function addConnectionOptions(command: Command): Command {
  return addVerbosityOptions(command)
    .option('--connect-timeout <ms>', 'time allowed to connect, verify and authenticate, in ms', parseNonNegativeInt, 10_000)
    .option(
      '-i, --identity <file>',
      'private key (ssh-keygen Ed25519/RSA/ECDSA or framesh; default $FRAMESH_HOME/id_ed25519, else ssh-agent); a .pub picks an agent key',
    )
    .option('--accept-new', 'trust and remember a server not yet in known_hosts (for scripts)')
    .option('--fingerprint <SHA256:...>', "require exactly this server key fingerprint")
    .option('--insecure', 'plain TCP without TLS or keys (for tests and trusted loopback only)')
    .addHelpText(
      'after',
      '\nKeys: an encrypted key\'s passphrase is asked on the terminal, or read from the program named by FRAMESH_ASKPASS;' +
        '\nwith SSH_AUTH_SOCK set, keys held by ssh-agent are used (no key file needed).',
    );
}

/**
 * -v/-vv and -q, as ssh has them: -v prints connection phases, host-key and authentication
 * decisions to stderr, -vv also each frame; -q leaves out framesh's warnings and notes. put/get
 * already have their own -q (no progress bars, scp's meaning), which also quiets these.
 */
export function addVerbosityOptions(command: Command): Command {
  command.option('-v, --verbose', 'print connection phases, host-key and auth decisions to stderr (-vv: every frame too)', countVerbose, 0);
  if (!command.options.some((option) => option.short === '-q')) command.option('-q, --quiet', "leave out framesh's own warnings and notes");
  return command;
}

function countVerbose(_value: string, previous: number): number {
  return previous + 1;
}

/** Where -v lines go: stderr, each marked with its level as ssh marks them. */
function verboseSink(level: number): ((line: string) => void) | undefined {
  if (level <= 0) return undefined;
  return (line) => process.stderr.write(`${line.startsWith('-> ') || line.startsWith('<- ') ? 'debug2' : 'debug1'}: ${line}\n`);
}

export function connectFromFlags(target: Target, flags: ConnectionFlags): Promise<FrameshClient> {
  if (flags.insecure && !flags.quiet) process.stderr.write('framesh: WARNING: --insecure: no encryption and no authentication\n');
  const confirm = terminalHostKeyPrompt(flags.quiet ?? false);
  const debug = verboseSink(flags.verbose ?? 0);
  const askPassphrase = cliPassphraseAsker();
  return connect({
    host: target.host,
    port: target.port,
    timeoutMs: flags.connectTimeout,
    insecure: flags.insecure ?? false,
    ...(flags.acceptNew && { acceptNew: true }),
    ...(flags.fingerprint !== undefined && { fingerprint: flags.fingerprint }),
    ...(flags.identity !== undefined && { identityFile: flags.identity }),
    ...(confirm && { confirmHostKey: confirm }),
    ...(askPassphrase && { askPassphrase }),
    ...(debug && { debug, debugFrames: (flags.verbose ?? 0) >= 2 }),
  });
}
