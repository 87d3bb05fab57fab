import type { Command } from 'commander';
import { connect } from '../client/connect.js';
import type { FrameshClient } from '../client/client.js';
import { terminalHostKeyPrompt } from './host-trust-prompt.js';
import { parseNonNegativeInt, type Target } from './target.js';
import { withClientConfig } from './client-config-flags.js';

export interface ConnectionFlags {
  connectTimeout: number;
  insecure?: boolean;
  acceptNew?: boolean;
  fingerprint?: string;
  identity?: string;
  /** -F: the client configuration file (host aliases and settings). */
  config?: string;
}

/** Options every client subcommand shares. */
export function addConnectionOptions(command: Command): Command {
  return command
    .option('--connect-timeout <ms>', 'time allowed to connect, verify and authenticate, in ms', parseNonNegativeInt, 10_000)
    .option('-i, --identity <file>', 'private key to authenticate with (default $FRAMESH_HOME/id_ed25519)')
    .option('--accept-new', 'trust and remember a server not yet in known_hosts (for scripts)')
    .option('--fingerprint <SHA256:...>', "require exactly this server key fingerprint")
    .option('-F, --config <file>', 'client configuration file: host aliases and settings (default $FRAMESH_HOME/config)')
    .option('--insecure', 'plain TCP without TLS or keys (for tests and trusted loopback only)');
}

export function connectFromFlags(written: Target, given: ConnectionFlags): Promise<FrameshClient> {
  const { target, flags } = withClientConfig(written, given);
  if (flags.insecure) process.stderr.write('framesh: WARNING: --insecure: no encryption and no authentication\n');
  const confirm = terminalHostKeyPrompt();
  return connect({
    host: target.host,
    port: target.port,
    timeoutMs: flags.connectTimeout,
    insecure: flags.insecure ?? false,
    ...(flags.acceptNew && { acceptNew: true }),
    ...(flags.fingerprint !== undefined && { fingerprint: flags.fingerprint }),
    ...(flags.identity !== undefined && { identityFile: flags.identity }),
    ...(confirm && { confirmHostKey: confirm }),
  });
}
