import type { Command } from 'commander';
import { connect } from '../client/connect.js';
import type { FrameshClient } from '../client/client.js';
import { parseNonNegativeInt, type Target } from './target.js';

export interface ConnectionFlags {
  connectTimeout: number;
  insecure?: boolean;
}

/** Options every client subcommand shares. */
export function addConnectionOptions(command: Command): Command {
  return command
    .option('--connect-timeout <ms>', 'time allowed to connect and greet, in ms', parseNonNegativeInt, 10_000)
    .option('--insecure', 'plain TCP without TLS or keys (for tests and trusted loopback only)');
}

export function connectFromFlags(target: Target, flags: ConnectionFlags): Promise<FrameshClient> {
  return connect({ host: target.host, port: target.port, timeoutMs: flags.connectTimeout, insecure: flags.insecure ?? false });
}
