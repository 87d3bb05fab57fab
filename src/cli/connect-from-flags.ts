/**
 * From parsed connection flags to a connected client: the config file, -o settings, host-key
 * prompts and passphrase asking. Apart from connection-options.ts (the flags themselves) so that
 * defining the command tree loads none of this.
 */
import type { FrameshClient } from '../client/client.js';
import { DEFAULT_PORT } from '../protocol/constants.js';
import { withClientConfig } from './client-config-flags.js';
import type { ConnectionFlags } from './connection-options.js';
import { describeError } from './exit-status.js';
import type { Target } from './target.js';

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
  const { target, flags } = await withClientConfig(written, given);
  if (flags.insecure && !flags.quiet)
    process.stderr.write('framesh: WARNING: --insecure: no encryption and no authentication\n');
  const settings = flags.option ?? {};
  const strict = flags.acceptNew ? 'accept-new' : (settings.strictHostKeyChecking ?? 'ask');
  const confirm = strict === 'ask' ? hostKeyPromptOnDemand(flags.quiet ?? false) : null;
  const fingerprint = flags.fingerprint ?? settings.fingerprint;
  const identityFile = flags.identity ?? settings.identityFile;
  const connectTimeoutMs = flags.connectTimeout ?? settings.connectTimeoutMs;
  const debug = verboseSink(flags.verbose ?? 0);
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
    askPassphrase: askPassphraseOnDemand,
    ...(debug && { debug, debugFrames: (flags.verbose ?? 0) >= 2 }),
  });
}

/**
 * connectFromFlags for a subcommand: a failure to connect is explained on stderr (its code included)
 * and comes back as null, which the subcommand turns into exit status 255.
 */
export async function connectOrExplain(target: Target, flags: ConnectionFlags): Promise<FrameshClient | null> {
  try {
    return await connectFromFlags(target, flags);
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    return null;
  }
}

/**
 * The terminal prompts, loaded and their terminal looked for only when a question comes up (a new
 * server key, an encrypted key file): most connections ask nothing, and start without that code.
 * Answering "no" (false, null) when there is no terminal or askpass has the effect of having no
 * prompt at all: the connection fails with HOST_KEY_UNKNOWN or KEY_PASSPHRASE, as it would then.
 */
function hostKeyPromptOnDemand(quiet: boolean): (hostPort: string, fingerprint: string) => Promise<boolean> {
  return async (hostPort, fingerprint) => {
    const { terminalHostKeyPrompt } = await import('./host-trust-prompt.js');
    const ask = terminalHostKeyPrompt(quiet);
    return ask ? ask(hostPort, fingerprint) : false;
  };
}

async function askPassphraseOnDemand(file: string, attempt: number): Promise<string | null> {
  const { cliPassphraseAsker } = await import('./passphrase-prompt.js');
  const ask = cliPassphraseAsker();
  return ask ? ask(file, attempt) : null;
}
