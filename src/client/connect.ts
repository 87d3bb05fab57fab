import { existsSync } from 'node:fs';
import { checkTimerMs } from '../durations.js';
import { FramedConnection } from '../connection/framed-connection.js';
import { DEFAULT_LIMITS } from '../protocol/constants.js';
import { ensureHome, homeFile, resolveHome } from '../security/framesh-home.js';
import { fingerprintOfFile } from '../security/key-files.js';
import { debugLog } from '../debug-log.js';
import { resolveIdentity } from './identity-resolution.js';
import { LoginNameError } from './login-name-error.js';
import { KnownHosts } from '../security/known-hosts.js';
import { TlsTransport } from '../transport/tls-transport.js';
import type { Transport } from '../transport/transport.js';
import type { FrameshClient } from './client.js';
import type { ClientIdentity } from './client-identity.js';
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
  /**
   * Private key file to authenticate with (default HOME/id_ed25519): framesh's own PEM, or what
   * ssh-keygen writes (Ed25519, RSA, ECDSA; encrypted or not). A `.pub` file selects that key in
   * the ssh-agent.
   */
  identityFile?: string;
  /** A private key's contents (Buffer or string, PEM or OpenSSH format) instead of a file, as node-ssh takes it. */
  privateKey?: string | Buffer;
  /** Passphrase of an encrypted `privateKey` or key file. */
  passphrase?: string | Buffer;
  /**
   * ssh-agent socket (default `$SSH_AUTH_SOCK`); `false` uses no agent. The agent signs when there
   * is no key file, or when it holds the same key as an encrypted key file.
   */
  agent?: string | false;
  /** Asked for a key file's passphrase when none (or a wrong one) was given; resolve null to give up. */
  askPassphrase?: (file: string, attempt: number) => Promise<string | null>;
  /** Receives a line per connection phase, host-key and auth decision (what `-v` prints). */
  debug?: (line: string) => void;
  /** With `debug`: also a line per frame sent and received (`-vv`). */
  debugFrames?: boolean;
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
  if (target.host.includes('@')) throw new LoginNameError(target.host, target.port);
  const log = debugLog(options.debug, options.debugFrames ?? false);
  let identity: ClientIdentity | null = null;
  let transport = options.transport;
  if (!options.insecure) {
    const home = ensureHome(options.home ?? resolveHome());
    // Resolve the key first: a key with bad permissions fails before any network traffic.
    identity = await resolveIdentity({
      ...(options.privateKey !== undefined && { privateKey: options.privateKey }),
      ...(options.passphrase !== undefined && { passphrase: options.passphrase }),
      ...(options.identityFile !== undefined && { identityFile: options.identityFile }),
      ...(options.askPassphrase !== undefined && { askPassphrase: options.askPassphrase }),
      defaultIdentityFile: homeFile(home, 'id_ed25519'),
      agent: options.agent ?? (process.env.SSH_AUTH_SOCK || false),
      timeoutMs,
      debug: log.phase,
    });
    const knownHosts = new KnownHosts(options.knownHostsFile ?? homeFile(home, 'known_hosts'));
    transport ??= new TlsTransport(knownHosts, {
      ...(options.fingerprint !== undefined && { fingerprint: options.fingerprint }),
      ...(options.acceptNew !== undefined && { acceptNew: options.acceptNew }),
      ...(options.confirmHostKey !== undefined && { confirm: options.confirmHostKey }),
      alsoTrusted: localHostKeys(home),
      debug: log.phase,
    });
  }
  log.phase(`connecting to ${target.host}:${target.port} (${options.insecure ? 'plain TCP, --insecure' : 'TLS 1.3'})`);
  // Plain TCP (--insecure) and frame tracing (-vv) are loaded only when used: a CLI start pays per module.
  transport ??= new (await import('../transport/tcp-transport.js')).TcpTransport();
  const trace = log.frame ? (await import('./frame-trace.js')).traceFrames : null;
  const stream = await transport.connect(target, timeoutMs);
  const conn = new FramedConnection(stream, DEFAULT_LIMITS);
  if (trace && log.frame) trace(conn, log.frame);
  const client = await performHandshake(conn, timeoutMs, identity, log.phase);
  log.phase(`connected to ${target.host}:${target.port}; server ${client.server.agent}`);
  return client;
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
