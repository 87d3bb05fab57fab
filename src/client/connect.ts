import { existsSync } from 'node:fs';
import { checkTimerMs } from '../durations.js';
import { FramedConnection } from '../connection/framed-connection.js';
import { DEFAULT_LIMITS } from '../protocol/constants.js';
import { ensureHome, homeFile, resolveHome } from '../security/framesh-home.js';
import { fingerprintOfFile, loadPrivateKey } from '../security/key-files.js';
import { KnownHosts } from '../security/known-hosts.js';
import { TcpTransport } from '../transport/tcp-transport.js';
import { TlsTransport } from '../transport/tls-transport.js';
import type { Transport } from '../transport/transport.js';
import type { FrameshClient } from './client.js';
import { ClientIdentity } from './client-identity.js';
import { performHandshake } from './handshake.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface ConnectOptions {
  host?: string;
  /** Default 7022. */
  port?: number;
  /** Time allowed for connect, TLS, hello and authentication, in ms (default 10000). */
  timeoutMs?: number;
  /** Plain TCP without TLS or keys, for tests and trusted loopback only. */
  insecure?: boolean;
  /** State directory (default `$FRAMESH_HOME` or `~/.framesh`). */
  home?: string;
  /** Private key to authenticate with (default HOME/id_ed25519). */
  identityFile?: string;
  /** Trusted server keys (default HOME/known_hosts). */
  knownHostsFile?: string;
  /** Trust and remember a server not yet in known_hosts (like StrictHostKeyChecking=accept-new). */
  acceptNew?: boolean;
  /** Require exactly this server key fingerprint (`SHA256:…`). */
  fingerprint?: string;
  /** Asked about a server not yet in known_hosts; resolve true to trust it. Default: refuse. */
  confirmHostKey?: (hostPort: string, fingerprint: string) => Promise<boolean>;
  /** How bytes travel; overrides the TLS/TCP choice. */
  transport?: Transport;
}

/** Connects, verifies the server's key, authenticates, and completes the hello exchange. */
export async function connect(options: ConnectOptions = {}): Promise<FrameshClient> {
  const target = { host: options.host ?? '127.0.0.1', port: options.port ?? 7022 };
  const timeoutMs = checkTimerMs('timeoutMs', options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, 1);
  let identity: ClientIdentity | null = null;
  let transport = options.transport;
  if (!options.insecure) {
    const home = ensureHome(options.home ?? resolveHome());
    // Load the key first: a key with bad permissions fails before any network traffic.
    identity = new ClientIdentity(loadPrivateKey(options.identityFile ?? homeFile(home, 'id_ed25519')));
    transport ??= new TlsTransport(new KnownHosts(options.knownHostsFile ?? homeFile(home, 'known_hosts')), {
      ...(options.fingerprint !== undefined && { fingerprint: options.fingerprint }),
      ...(options.acceptNew !== undefined && { acceptNew: options.acceptNew }),
      ...(options.confirmHostKey !== undefined && { confirm: options.confirmHostKey }),
      alsoTrusted: localHostKeys(home),
    });
  }
  const stream = await (transport ?? new TcpTransport()).connect(target, timeoutMs);
  const conn = new FramedConnection(stream, DEFAULT_LIMITS);
  return performHandshake(conn, timeoutMs, identity);
}

/**
 * The host key of a server run from the same state directory is trusted
 * without a known_hosts entry: reading it proves it is this account's own
 * server, which is what makes the quick start work with no prompt.
 */
function localHostKeys(home: string): string[] {
  const file = homeFile(home, 'host_ed25519');
  if (!existsSync(file)) return [];
  try {
    return [fingerprintOfFile(file).fingerprint];
  } catch {
    return [];
  }
}
