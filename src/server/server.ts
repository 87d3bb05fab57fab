import { EventEmitter } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import { FramedConnection } from '../connection/framed-connection.js';
import { DEFAULT_LIMITS, DEFAULT_PORT, DEFAULT_WINDOW_BYTES } from '../protocol/constants.js';
import type { PeerLimits } from '../protocol/messages.js';
import { type FrameshError } from '../errors.js';
import type { ExecSummary } from './exec/exec-channel.js';
import { DEFAULT_MAX_TERMINALS, terminalsAvailable, type CommandAudit } from './pty/terminal-channel-factory.js';
import { TerminalChannel } from './pty/terminal-channel.js';
import { CAPABILITIES } from '../version.js';
import type { ChannelFactory, ConnectionEndpoints } from './server-channel.js';
import type { Duplex } from 'node:stream';
import type { AuthenticatedIdentity } from '../security/authenticator.js';
import { builtInChannelKinds, channelKindMap } from './channel-kinds.js';
import { chooseLauncher } from './process/default-launcher.js';
import type { ProcessLauncher } from './process/launcher.js';
import { ServerSession } from './server-session.js';
import { ConnectionGate } from './connection-gate.js';
import {
  DEFAULT_AUTH_FAILURE_DELAY_MS,
  DEFAULT_AUTH_GRACE_MS,
  DEFAULT_KEEPALIVE_COUNT_MAX,
  DEFAULT_KEEPALIVE_INTERVAL_MS,
  prepareServerSecurity,
  type ServerSecurity,
  type ServerSecurityOptions,
} from './server-security.js';
import { startKeepalive } from '../connection/keepalive.js';
import { AuthFailures } from '../security/auth-failures.js';
import { KeyAuthenticator } from '../security/key-authenticator.js';
import { authExporterValue } from '../transport/tls-exporter.js';
import { InvalidOptionError, SecurityError } from '../errors.js';
import { checkOptionalTimerMs, checkTimerMs } from '../durations.js';
import type { TransferRecord } from './files/file-channel-context.js';
import { FileRoot } from './files/file-root.js';
import { accountEnvironment } from './process/command-environment.js';
import { PartialFiles } from './files/partial-files.js';
import {
  DEFAULT_PARTIAL_MAX_AGE_MS,
  DEFAULT_PARTIAL_SWEEP_DELAY_MS,
  scheduleStalePartialSweep,
} from './files/stale-partials.js';
import {
  DEFAULT_MAX_STARTUPS,
  DEFAULT_PER_SOURCE_MAX_STARTUPS,
  parseStartupsPolicy,
  type StartupsPolicy,
} from './startup-limits.js';

import { DEFAULT_HOST, DEFAULT_KILL_GRACE_MS, DEFAULT_SHUTDOWN_GRACE_MS } from './server-defaults.js';

export { DEFAULT_HOST, DEFAULT_KILL_GRACE_MS, DEFAULT_PORT, DEFAULT_SHUTDOWN_GRACE_MS };
/** Pending-connection queue length asked of the kernel (capped by net.core.somaxconn). */
const LISTEN_BACKLOG = 4096;
/** Bytes queued on a client's socket before channels stop reading their sources. */
const SOCKET_HIGH_WATER_MARK_BYTES = 256 * 1024;

export interface ServerOptions extends ServerSecurityOptions {
  /** Plain TCP without TLS or keys, for tests and trusted loopback only (docs/SECURITY.md). */
  insecure?: boolean;
  /** Time from accept to successful authentication, in ms (default 10000). */
  authGraceMs?: number;
  /**
   * Connections not yet authenticated: `start:rate:full` as OpenSSH's MaxStartups (default "10:30:100":
   * from 10 on, new ones are dropped with 30% probability rising to 100% at 100); a number N means N:100:N.
   */
  maxStartups?: number | string | StartupsPolicy;
  /** Most unauthenticated connections from one address (default 5; 0 for no limit). */
  perSourceMaxStartups?: number;
  /** Delay before answering the first failed authentication from an address; doubles per failure up to 5 s (default 250). */
  authFailureDelayMs?: number;
  /** Ping a silent client after this many ms; 0 disables (default 15000). */
  keepaliveIntervalMs?: number;
  /** Close a client silent for this many intervals (default 3). */
  keepaliveCountMax?: number;
  /** Most channels open at once per connection (default 64). */
  maxChannels?: number;
  /** Cap on any command's run time in ms; 0 (default) for none. */
  maxTimeoutMs?: number;
  /** Run every command through the account's login shell. */
  login?: boolean;
  /** SIGTERM-to-SIGKILL grace when the server ends a command (default 5000). */
  killGraceMs?: number;
  /** Working directory for commands that name none (default: home directory). */
  cwd?: string;
  /** Directory that put and get paths are resolved under and confined to (default: home directory). */
  root?: string;
  /** Remove partial uploads nobody resumed for this many ms (default 7 days); 0 keeps them forever. */
  partialMaxAgeMs?: number;
  /** The first sweep for stale partials runs this many ms after listen() (default 60 s; later ones periodically). */
  partialSweepDelayMs?: number;
  /**
   * Variables every command gets on top of the account's clean environment (HOME, USER, LOGNAME, SHELL,
   * PATH; PROTOCOL.md §11.4). The server's own environment is never passed on.
   */
  env?: NodeJS.ProcessEnv;
  /** Most terminals open at once per connection (default 10, as sshd's MaxSessions; PROTOCOL.md §11.1). */
  maxTerminals?: number;
  /** Record every terminal session as an asciicast v2 file in this directory (docs/SECURITY.md). */
  record?: string;
  /** With `record`: also record what clients type (passwords typed on a terminal included). */
  recordInput?: boolean;
  /** @internal The terminal module to load ("node-pty"); tests name a missing one to force PTY_UNAVAILABLE. */
  ptyModule?: string;
  /** How processes are started (default: posix_spawn through the native addon, else an AdaptiveLauncher; FRAMESH_LAUNCHER forces one; docs/ARCHITECTURE.md, "Spawning"). */
  launcher?: ProcessLauncher;
}

export interface ServerEvents {
  connection: [remote: string];
  disconnect: [remote: string, error: FrameshError | null];
  commandStart: [info: { remote: string; ch: number; command: string; pid: number }];
  commandEnd: [info: { remote: string; ch: number; command: string } & ExecSummary];
  /** A command started on a terminal (PROTOCOL.md §11); `recording` names its asciicast file. */
  terminalStart: [
    info: {
      remote: string;
      fingerprint: string | null;
      ch: number;
      command: string;
      pid: number;
      term: string;
      cols: number;
      rows: number;
      recording: string | null;
    },
  ];
  terminalEnd: [
    info: {
      remote: string;
      fingerprint: string | null;
      ch: number;
      command: string;
      cols: number;
      rows: number;
      recording: string | null;
    } & ExecSummary,
  ];
  /** `options`: the key line's authorized_keys option names, comma-separated, when it has any. */
  authenticated: [info: { remote: string; fingerprint: string; comment: string; options?: string }];
  authFailed: [info: { remote: string; fingerprint: string | null; comment: string; reason: string; failures: number }];
  refused: [info: { remote: string; reason: string }];
  /** A put or get finished or failed. */
  transfer: [record: TransferRecord];
  /** The stale-partial sweep removed this many abandoned partial uploads (`partialMaxAgeMs`). */
  partialsExpired: [info: { removed: number }];
  /** A line of authorized_keys was skipped. */
  keySkipped: [info: { file: string; line: number; reason: string }];
}

/**
 * The framesh server: accepts connections and runs a {@link ServerSession}
 * for each. Emits events for logging; never emits 'error' after listen().
 */
export class FrameshServer extends EventEmitter<ServerEvents> {
  private readonly listener: net.Server;
  private readonly sessions = new Set<ServerSession>();
  private readonly launcher: ProcessLauncher;
  /** Which launcher starts commands (docs/ARCHITECTURE.md, "Spawning"); `serve` prints it. */
  readonly launcherDescription: string;
  private readonly options: Required<
    Omit<ServerOptions, 'launcher' | 'record' | 'maxStartups' | keyof ServerSecurityOptions>
  > & {
    readonly recordDir: string | null;
    readonly maxStartups: StartupsPolicy;
  };
  private readonly securityOptions: ServerSecurityOptions;
  private security: ServerSecurity | null = null;
  private gate: ConnectionGate | null = null;
  private readonly authFailures: AuthFailures;
  private readonly limits: PeerLimits;
  /** What this server's hello offers (PROTOCOL.md §2): "pty" only when terminals can be made. */
  readonly capabilities: readonly string[];
  /**
   * Channel kinds offered, by `open.kind`: the built-in ones (channel-kinds.ts) are added by listen();
   * a kind set here before then replaces the built-in one of that name.
   */
  readonly channelKinds = new Map<string, ChannelFactory>();
  private kindsRegistered = false;
  private closing: Promise<void> | null = null;
  /** Terminal channels running now, by connection then channel id → the terminal's leader pid (web `cwd`, PROTOCOL.md §12.2). */
  private readonly terminalPids = new WeakMap<FramedConnection, Map<number, number>>();
  private root: FileRoot | null = null;
  private stopPartialSweep: () => void = () => {};

  constructor(options: ServerOptions = {}) {
    super();
    checkServerDurations(options);
    const chosen = options.launcher
      ? {
          launcher: options.launcher,
          description: options.launcher.description ?? 'a launcher given by the embedding program',
        }
      : chooseLauncher();
    this.launcher = chosen.launcher;
    this.launcherDescription = chosen.description;
    this.options = {
      maxChannels: options.maxChannels ?? DEFAULT_LIMITS.maxChannels,
      maxTimeoutMs: options.maxTimeoutMs ?? 0,
      login: options.login ?? false,
      killGraceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      cwd: options.cwd ?? os.homedir(),
      root: options.root ?? os.homedir(),
      partialMaxAgeMs: options.partialMaxAgeMs ?? DEFAULT_PARTIAL_MAX_AGE_MS,
      partialSweepDelayMs: options.partialSweepDelayMs ?? DEFAULT_PARTIAL_SWEEP_DELAY_MS,
      // PROTOCOL.md §11.4: the account's clean environment, never the server's own (a plain object, too:
      // spreading process.env itself calls getenv per variable on every command).
      env: accountEnvironment(options.env),
      insecure: options.insecure ?? false,
      authGraceMs: options.authGraceMs ?? DEFAULT_AUTH_GRACE_MS,
      maxStartups: parseStartupsPolicy(options.maxStartups ?? DEFAULT_MAX_STARTUPS),
      perSourceMaxStartups: options.perSourceMaxStartups ?? DEFAULT_PER_SOURCE_MAX_STARTUPS,
      authFailureDelayMs: options.authFailureDelayMs ?? DEFAULT_AUTH_FAILURE_DELAY_MS,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: options.keepaliveCountMax ?? DEFAULT_KEEPALIVE_COUNT_MAX,
      maxTerminals: options.maxTerminals ?? DEFAULT_MAX_TERMINALS,
      recordDir: options.record ?? null,
      recordInput: options.recordInput ?? false,
      ptyModule: options.ptyModule ?? 'node-pty',
    };
    this.securityOptions = {
      ...(options.home !== undefined && { home: options.home }),
      ...(options.hostKeyFile !== undefined && { hostKeyFile: options.hostKeyFile }),
      ...(options.authorizedKeysFile !== undefined && { authorizedKeysFile: options.authorizedKeysFile }),
    };
    this.authFailures = new AuthFailures(this.options.authFailureDelayMs);
    this.limits = { ...DEFAULT_LIMITS, maxChannels: this.options.maxChannels };
    this.capabilities = [...CAPABILITIES, 'shell', ...(terminalsAvailable(this.options) ? ['pty'] : [])];
    // A 64 KiB pipe read plus its frame header overflows the default 16 KiB socket buffer, so every
    // chunk paused the pipe until the socket drained; 256 KiB lets a few chunks queue (bench/throughput).
    this.listener = net.createServer({ noDelay: true, highWaterMark: SOCKET_HIGH_WATER_MARK_BYTES }, (socket) =>
      this.accept(socket),
    );
  }

  /** Listens and resolves with the bound address (port 0 picks a free port). */
  async listen(port: number = DEFAULT_PORT, host: string = DEFAULT_HOST): Promise<net.AddressInfo> {
    if (!this.options.insecure && !this.security) {
      this.security = await prepareServerSecurity(this.securityOptions, (line, reason) =>
        this.emit('keySkipped', { file: this.security?.authorizedKeys.file ?? '', line, reason }),
      );
    }
    if (!this.kindsRegistered) await this.registerChannelKinds();
    const currentSecurity = (): ServerSecurity | null => this.security;
    this.gate ??= new ConnectionGate({
      insecure: this.options.insecure,
      // Read at each accept, so reloadKeys() takes effect for the next connection.
      get secureContext() {
        return currentSecurity()?.secureContext ?? null;
      },
      maxStartups: this.options.maxStartups,
      perSourceMaxStartups: this.options.perSourceMaxStartups,
      authGraceMs: this.options.authGraceMs,
    });
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.listener.once('error', onError);
      // A deep backlog so a burst of connections (1000 at once) queues instead of waiting on SYN retries.
      this.listener.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
        this.listener.off('error', onError);
        resolve(this.listener.address() as net.AddressInfo);
      });
    });
  }

  /**
   * Re-reads the host key (and its certificate) and authorized_keys now, as `serve` does on SIGHUP:
   * connections accepted from then on use them; established ones keep what they authenticated with.
   * On failure (an unreadable key) the keys in use stay and the error is thrown. Null in insecure mode.
   */
  async reloadKeys(): Promise<{ fingerprint: string; authorizedKeysFile: string; authorizedKeys: number } | null> {
    if (this.options.insecure) return null;
    const security = await prepareServerSecurity(this.securityOptions, (line, reason) =>
      this.emit('keySkipped', { file: security.authorizedKeys.file, line, reason }),
    );
    this.security = security;
    return {
      fingerprint: security.fingerprint,
      authorizedKeysFile: security.authorizedKeys.file,
      authorizedKeys: security.authorizedKeys.size,
    };
  }

  /** Audit events of exec and terminal channels: command.* for plain exec, terminal.* with size and recording. */
  private commandAudit(): CommandAudit {
    return {
      started: (who, channel, pid) => {
        const { remote, fingerprint } = who;
        const base = { remote, ch: channel.id, command: channel.commandText, pid };
        if (!(channel instanceof TerminalChannel)) {
          this.emit('commandStart', base);
          return;
        }
        const pids = this.terminalPids.get(who.conn) ?? new Map<number, number>();
        this.terminalPids.set(who.conn, pids.set(channel.id, pid));
        const { term, cols, rows } = channel.pty;
        this.emit('terminalStart', { ...base, fingerprint, term, cols, rows, recording: channel.recordingFile });
      },
      ended: (who, channel, summary) => {
        const { remote, fingerprint } = who;
        this.terminalPids.get(who.conn)?.delete(channel.id);
        const base = { remote, ch: channel.id, command: channel.commandText, ...summary };
        if (!(channel instanceof TerminalChannel)) {
          this.emit('commandEnd', base);
          return;
        }
        const { cols, rows } = channel.currentSize;
        this.emit('terminalEnd', { ...base, fingerprint, cols, rows, recording: channel.recordingFile });
      },
    };
  }

  private async registerChannelKinds(): Promise<void> {
    const root = await FileRoot.open(this.options.root);
    if (this.kindsRegistered) return;
    this.kindsRegistered = true;
    this.root = root;
    const partials = new PartialFiles();
    const kinds = builtInChannelKinds({
      exec: {
        launcher: this.launcher,
        defaultCwd: this.options.cwd,
        baseEnv: this.options.env,
        login: this.options.login,
        maxTimeoutMs: this.options.maxTimeoutMs,
        killGraceMs: this.options.killGraceMs,
        stdinWindowBytes: DEFAULT_WINDOW_BYTES,
        maxTerminals: this.options.maxTerminals,
        ptyModule: this.options.ptyModule,
        terminal: { recordDir: this.options.recordDir, recordInput: this.options.recordInput },
      },
      execAudit: this.commandAudit(),
      root,
      partials,
      transferAudit: (record) => this.emit('transfer', record),
    });
    for (const [kind, factory] of channelKindMap(kinds))
      if (!this.channelKinds.has(kind)) this.channelKinds.set(kind, factory);
    this.stopPartialSweep = scheduleStalePartialSweep(
      root.real,
      partials,
      this.options.partialMaxAgeMs,
      (removed) => {
        if (removed > 0) this.emit('partialsExpired', { removed });
      },
      this.options.partialSweepDelayMs,
    );
  }

  /** @internal The file root every put and get is confined to; null before listen() (the web download uses it). */
  get fileRoot(): FileRoot | null {
    return this.root;
  }

  /** @internal The leader pid of terminal channel `ch` on connection `conn`, while it runs (web `cwd`). */
  terminalPid(conn: FramedConnection, ch: number): number | null {
    return this.terminalPids.get(conn)?.get(ch) ?? null;
  }

  /** The host key fingerprint clients see (`SHA256:…`), or null in insecure mode or before listen(). */
  get fingerprint(): string | null {
    return this.security?.fingerprint ?? null;
  }

  /** True when listen() made a new host key. */
  get hostKeyCreated(): boolean {
    return this.security?.hostKeyCreated ?? false;
  }

  /** The authorized_keys file in use, or null in insecure mode. */
  get authorizedKeysFile(): string | null {
    return this.security?.authorizedKeys.file ?? null;
  }

  address(): net.AddressInfo | null {
    return this.listener.address() as net.AddressInfo | null;
  }

  get connectionCount(): number {
    return this.sessions.size;
  }

  /**
   * Graceful stop: refuse new connections and channels, let running commands
   * finish for `graceMs`, then end them (SIGTERM, SIGKILL) and close.
   */
  close(graceMs: number = DEFAULT_SHUTDOWN_GRACE_MS): Promise<void> {
    checkTimerMs('close(graceMs)', graceMs);
    this.closing ??= this.shutdown(graceMs);
    return this.closing;
  }

  private async shutdown(graceMs: number): Promise<void> {
    this.stopPartialSweep();
    const stopped = new Promise<void>((resolve) => this.listener.close(() => resolve()));
    for (const session of this.sessions) session.drain();
    const idle = Promise.all([...this.sessions].map((s) => s.whenIdle()));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    if ((await Promise.race([idle, graceOver])) === 'timeout') {
      for (const session of this.sessions) session.terminateAll();
      await Promise.race([idle, new Promise((r) => setTimeout(r, this.options.killGraceMs + 1000))]);
    }
    clearTimeout(timer);
    // Not destroy(): that dropped `exit` frames still queued on the socket (hardening issue, defect 14).
    await Promise.all([...this.sessions].map((session) => session.closeAfterFinalFrames()));
    await stopped;
    await this.launcher.close();
  }

  /**
   * @internal Runs a session over a stream that was authenticated before its first frame: the browser terminal's
   * WebSocket, whose cookie session was minted by `identity`'s key (PROTOCOL.md §12.3). Same limits,
   * channel kinds, keepalive, audit events and shutdown as a TCP connection; no `auth` is asked for.
   */
  attachAuthenticatedStream(
    stream: Duplex,
    info: { remote: string; identity: AuthenticatedIdentity | null; endpoints: ConnectionEndpoints },
  ): ServerSession | null {
    if (this.closing || !this.kindsRegistered) {
      stream.destroy();
      return null;
    }
    // A null identity only on an --insecure server, whose TCP clients are not asked for a key either.
    return this.runSession(
      stream,
      { remote: info.remote, endpoints: info.endpoints, ...(info.identity && { identity: info.identity }) },
      () => {},
    );
  }

  private runSession(
    stream: Duplex,
    how: {
      remote: string;
      endpoints: ConnectionEndpoints;
      authenticator?: KeyAuthenticator;
      identity?: AuthenticatedIdentity;
    },
    release: () => void,
  ): ServerSession {
    const conn = new FramedConnection(stream, this.limits);
    const current = new ServerSession(conn, {
      limits: this.limits,
      remote: how.remote,
      capabilities: this.capabilities,
      endpoints: how.endpoints,
      channelKinds: this.channelKinds,
      ...(how.authenticator && { authenticator: how.authenticator }),
      ...(how.identity && { identity: how.identity }),
    });
    startKeepalive(conn, { intervalMs: this.options.keepaliveIntervalMs, countMax: this.options.keepaliveCountMax });
    this.sessions.add(current);
    this.emit('connection', how.remote);
    conn.on('close', (error) => {
      release();
      this.sessions.delete(current);
      this.emit('disconnect', how.remote, error);
    });
    return current;
  }

  private accept(socket: net.Socket): void {
    if (this.closing || !this.gate) {
      socket.destroy();
      return;
    }
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    const address = socket.remoteAddress ?? 'unknown';
    const graceDeadlineMs = Date.now() + this.options.authGraceMs;
    let session: ServerSession | null = null;
    this.gate.admit(socket, {
      refused: (reason) => this.emit('refused', { remote, reason }),
      ready: ({ stream, tlsSocket, release }) => {
        const authenticator =
          tlsSocket && this.security
            ? new KeyAuthenticator(
                authExporterValue(tlsSocket) as Buffer,
                this.security.authorizedKeys,
                this.authFailures,
                {
                  address,
                  graceDeadlineMs,
                  onClose: (callback) => {
                    tlsSocket.once('close', callback);
                    return () => tlsSocket.off('close', callback);
                  },
                  isClosed: () => tlsSocket.destroyed,
                },
                {
                  succeeded: ({ fingerprint, comment, options }) =>
                    this.emit('authenticated', {
                      remote,
                      fingerprint,
                      comment,
                      ...(options?.names.length && { options: options.names.join(',') }),
                    }),
                  failed: (info) => this.emit('authFailed', { remote, ...info }),
                },
                release,
              )
            : undefined;
        const current = this.runSession(
          stream,
          { remote, endpoints: endpointsOf(socket), ...(authenticator && { authenticator }) },
          release,
        );
        session = current;
        const conn = current.conn;
        return {
          // An auth message that arrived in time is answered (AUTH_FAILED or auth-ok) within the grace
          // time by the authenticator itself; the timeout is for clients that sent none.
          onGraceExpired: () =>
            session?.authPending ||
            conn.fail(
              new SecurityError('AUTH_TIMEOUT', `authentication did not finish within ${this.options.authGraceMs} ms`),
            ),
        };
      },
    });
  }
}

function endpointsOf(socket: net.Socket): ConnectionEndpoints {
  return {
    clientAddress: socket.remoteAddress ?? '',
    clientPort: socket.remotePort ?? 0,
    serverAddress: socket.localAddress ?? '',
    serverPort: socket.localPort ?? 0,
  };
}

/** Every duration and count option, checked before any timer is armed with it (issue 9, defect 12). */
function checkServerDurations(options: ServerOptions): void {
  for (const key of [
    'authGraceMs',
    'authFailureDelayMs',
    'keepaliveIntervalMs',
    'maxTimeoutMs',
    'killGraceMs',
  ] as const) {
    checkOptionalTimerMs(key, options[key]);
  }
  for (const key of ['keepaliveCountMax', 'maxChannels', 'perSourceMaxStartups'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new InvalidOptionError(`${key} must be a non-negative integer, not ${String(value)}`);
    }
  }
}

/** Creates a server; call `listen()` to start it. */
export function createServer(options?: ServerOptions): FrameshServer {
  return new FrameshServer(options);
}
