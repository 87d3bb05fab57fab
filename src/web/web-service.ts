import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createReadStream } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isLoopbackHost } from '../security/first-run.js';
import type { FrameshServer } from '../server/server.js';
import type { ChannelFactory } from '../server/server-channel.js';
import { clearedSessionCookie, parseCookies, sessionCookie, sessionCookieName } from './cookies.js';
import { serveDownload, type DownloadRecord } from './download-handler.js';
import { DEFAULT_TOKEN_LIFETIME_MS, LoginTokens } from './login-tokens.js';
import { hostAllowed, normalizeOrigin, originAllowed, servedOrigins } from './origin-check.js';
import { terminalPage } from './page.js';
import { setSecurityHeaders } from './security-headers.js';
import { SocketBridge } from './socket-bridge.js';
import { DEFAULT_RESUME_GRACE_MS } from './resumable-stream.js';
import { staticAssets, type StaticAsset } from './static-assets.js';
import { webChannelFactory, type WebControl } from './web-channel.js';
import {
  DEFAULT_WEB_IDLE_MS,
  DEFAULT_WEB_MAX_AGE_MS,
  WebSessions,
  type WebOwner,
  type WebSessionInfo,
} from './web-sessions.js';

/** How often sessions past a deadline are ended, so an open but silent socket is closed in time too. */
const EXPIRY_SWEEP_MS = 1000;

export interface WebOptions {
  /** Address of the web listener (default 127.0.0.1). A non-loopback one is served over HTTPS only. */
  host?: string;
  port: number;
  /** PEM certificate and key for HTTPS, required off loopback (`serve --web` makes one: web-certificate.ts). */
  certPem?: string;
  keyPem?: string;
  /** Further origins the page is reached on (a DNS name, a proxy's URL), besides the listening address. */
  origins?: readonly string[];
  /** Life of a login token (default 60 s). */
  tokenLifetimeMs?: number;
  /** A session ends after this long idle (default 30 min)... */
  idleMs?: number;
  /** ...and this long after login (default 12 h). */
  maxAgeMs?: number;
  /** A page whose socket dropped may resume its terminal within this time (default 30 s). */
  resumeGraceMs?: number;
}

export interface WebEvents {
  /** A token was redeemed: a session starts, owned by the key that minted the token. */
  login: [info: { session: string; fingerprint: string | null; comment: string; remote: string }];
  loginRefused: [info: { remote: string }];
  sessionEnded: [info: { session: string; reason: 'revoked' | 'expired' }];
  /** A request or an upgrade refused: `reason` is "origin", "host" or "no-session". */
  refused: [info: { remote: string; path: string; reason: string }];
  download: [info: DownloadRecord & { session: string; remote: string }];
}

/** Whether the web listener must use HTTPS: off loopback always, and whenever a certificate is given. */
export function webUsesTls(host: string, certGiven: boolean): boolean {
  return certGiven || !isLoopbackHost(host);
}

/**
 * `serve --web`: the browser terminal (docs/ARCHITECTURE.md, "web/"). One HTTP(S) listener serves the
 * page and its assets, turns login tokens into cookie sessions, serves downloads, and bridges
 * WebSockets to the framesh server's sessions. Register it before the server listens: it installs
 * the `web` channel kind that `framesh web-login` and `web-sessions` talk to.
 */
export class WebService extends EventEmitter<WebEvents> implements WebControl {
  readonly tokens: LoginTokens<WebOwner>;
  readonly sessions: WebSessions;
  private readonly bridge: SocketBridge;
  private readonly listener: http.Server;
  private readonly secure: boolean;
  private readonly assets = staticAssets();
  private allowed = new Set<string>();
  private primaryOrigin = '';
  private sweep: NodeJS.Timeout | null = null;

  constructor(
    private readonly server: FrameshServer,
    private readonly options: WebOptions,
  ) {
    super();
    this.tokens = new LoginTokens<WebOwner>(options.tokenLifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS);
    this.sessions = new WebSessions(options.idleMs ?? DEFAULT_WEB_IDLE_MS, options.maxAgeMs ?? DEFAULT_WEB_MAX_AGE_MS);
    this.bridge = new SocketBridge(server, options.resumeGraceMs ?? DEFAULT_RESUME_GRACE_MS);
    this.secure = webUsesTls(options.host ?? '127.0.0.1', options.certPem !== undefined);
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.route(req, res).catch(() => res.destroy());
    };
    this.listener = this.secure ? https.createServer({ minVersion: 'TLSv1.2' }, handler) : http.createServer(handler);
    this.listener.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(req, socket, head),
    );
    this.sessions.on('ended', (session, reason) => {
      this.bridge.endSession(session);
      this.emit('sessionEnded', { session, reason });
    });
    // The one cast of channel-kinds.ts's pattern: this factory is only called with a `web` open.
    server.channelKinds.set('web', webChannelFactory(this) as ChannelFactory);
  }

  /** Listens (after the framesh server's listen(): HTTPS needs its certificate) and returns the page's origin. */
  async listen(): Promise<{ origin: string; address: AddressInfo }> {
    const host = this.options.host ?? '127.0.0.1';
    if (this.listener instanceof https.Server) {
      if (!this.options.certPem || !this.options.keyPem)
        throw new Error(`the browser terminal on ${host} is served over HTTPS only: give a certificate and its key`);
      this.listener.setSecureContext({ cert: this.options.certPem, key: this.options.keyPem, minVersion: 'TLSv1.2' });
    }
    if (isWildcard(host) && !this.options.origins?.length) {
      throw new Error(
        `--web-host ${host} listens on every address: name the origin browsers use with --web-origin https://NAME:PORT`,
      );
    }
    await new Promise<void>((resolve, reject) => {
      this.listener.once('error', reject);
      this.listener.listen(this.options.port, host, () => {
        this.listener.off('error', reject);
        resolve();
      });
    });
    const address = this.listener.address() as AddressInfo;
    const scheme = this.secure ? 'https' : 'http';
    this.allowed = servedOrigins(scheme, host, address.port, this.options.origins ?? []);
    this.primaryOrigin = this.options.origins?.[0]
      ? normalizeOrigin(this.options.origins[0])
      : [...servedOrigins(scheme, host, address.port)][0]!;
    this.sweep = setInterval(() => this.sessions.expireDue(), EXPIRY_SWEEP_MS);
    this.sweep.unref();
    return { origin: this.primaryOrigin, address };
  }

  /** The origins the Origin check accepts. */
  get origins(): ReadonlySet<string> {
    return this.allowed;
  }

  mintLogin(owner: WebOwner): { url: string; expiresAtMs: number } {
    const { token, expiresAtMs } = this.tokens.mint(owner);
    return { url: `${this.primaryOrigin}/login?token=${token}`, expiresAtMs };
  }

  listSessions(): WebSessionInfo[] {
    return this.sessions.list().map((s) => ({ ...s, sockets: this.bridge.socketCount(s.id) }));
  }

  revokeSession(id: string): boolean {
    return this.sessions.revoke(id);
  }

  terminalPid(...args: Parameters<FrameshServer['terminalPid']>): number | null {
    return this.server.terminalPid(...args);
  }

  /** @internal Cuts every browser socket as a network drop would; the pages reconnect (test/web). */
  dropSockets(): void {
    this.bridge.dropAll();
  }

  async close(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    this.bridge.close();
    await new Promise<void>((resolve) => {
      this.listener.close(() => resolve());
      this.listener.closeAllConnections();
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://framesh.invalid');
    const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    const scheme = this.secure ? 'https' : 'http';
    if (!hostAllowed(req.headers.host, scheme, this.allowed)) {
      this.emit('refused', { remote, path: url.pathname, reason: 'host' });
      return text(res, 421, 'this server is not reached by that name\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'method not allowed\n');
    const asset = this.assets.get(url.pathname);
    if (asset) return this.serveAsset(asset, res);
    switch (url.pathname) {
      case '/favicon.ico':
        res.writeHead(204).end();
        return;
      case '/login':
        return this.login(url, res, remote);
      case '/':
      case '/session':
      case '/download': {
        const session = this.sessionOf(req);
        if (!session) {
          this.emit('refused', { remote, path: url.pathname, reason: 'no-session' });
          res.setHeader('Set-Cookie', clearedSessionCookie(this.secure));
          return text(res, 401, 'not logged in: run `framesh web-login HOST` and open the URL it prints\n');
        }
        if (url.pathname === '/session') return json(res, { session: session.id });
        if (url.pathname === '/download') {
          const root = this.server.fileRoot;
          if (!root) return text(res, 503, 'the server is not ready\n');
          setSecurityHeaders(res, { secure: this.secure });
          const record = await serveDownload(root, url, res);
          this.emit('download', { ...record, session: session.id, remote });
          return;
        }
        const nonce = randomBytes(16).toString('base64');
        setSecurityHeaders(res, { secure: this.secure, styleNonce: nonce });
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(terminalPage(nonce));
        return;
      }
      default:
        return text(res, 404, 'not found\n');
    }
  }

  /** GET /login?token=T: a valid token becomes a cookie session, then a redirect drops the token from the URL. */
  private login(url: URL, res: ServerResponse, remote: string): void {
    res.setHeader('Cache-Control', 'no-store');
    const owner = this.tokens.redeem(url.searchParams.get('token') ?? '');
    if (!owner) {
      this.emit('loginRefused', { remote });
      return text(
        res,
        403,
        'this login link is not valid: it was used already, it expired (links last a minute) or it was never issued. Run `framesh web-login HOST` for a new one.\n',
      );
    }
    const { id, secret } = this.sessions.create(owner);
    this.emit('login', { session: id, fingerprint: owner.fingerprint, comment: owner.comment, remote });
    setSecurityHeaders(res, { secure: this.secure });
    res.writeHead(303, { Location: '/', 'Set-Cookie': sessionCookie(secret, this.secure) });
    res.end();
  }

  private sessionOf(req: IncomingMessage): { id: string; owner: WebOwner; secret: string } | null {
    const secret = parseCookies(req.headers.cookie).get(sessionCookieName(this.secure));
    const session = this.sessions.touch(secret);
    return session && secret ? { ...session, secret } : null;
  }

  /** The WebSocket upgrade (GET /ws): Host, then Origin (CSWSH), then the cookie session, else refused. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {});
    const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    const url = new URL(req.url ?? '/', 'http://framesh.invalid');
    const scheme = this.secure ? 'https' : 'http';
    const refuse = (status: number, reason: string): void => {
      this.emit('refused', { remote, path: url.pathname, reason });
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/ws') return refuse(404, 'path');
    // PROTOCOL.md §12.3: the page's stream id (32 hex digits) and the bytes of it the page has received.
    const stream = url.searchParams.get('stream') ?? '';
    const received = Number(url.searchParams.get('received') ?? '0');
    if (!/^[0-9a-f]{32}$/.test(stream) || !Number.isSafeInteger(received) || received < 0)
      return refuse(400, 'request');
    if (!hostAllowed(req.headers.host, scheme, this.allowed)) return refuse(421, 'host');
    if (!originAllowed(req.headers.origin, this.allowed)) return refuse(403, 'origin');
    const session = this.sessionOf(req);
    if (!session) return refuse(401, 'no-session');
    let lastTouchMs = Date.now();
    this.bridge.accept(req, socket, head, session, { stream, received }, () => {
      // Typing keeps the session alive; checked at most once a second.
      const now = Date.now();
      if (now - lastTouchMs < 1000) return;
      lastTouchMs = now;
      if (!this.sessions.touch(session.secret)) this.bridge.endSession(session.id);
    });
  }

  private async serveAsset(asset: StaticAsset, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res, { secure: this.secure });
    res.writeHead(200, { 'Content-Type': asset.contentType, 'Cache-Control': 'no-cache' });
    await pipeline(createReadStream(asset.file), res);
  }
}

/** 0.0.0.0 or ::: no one origin names it. */
function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

function text(res: ServerResponse, status: number, body: string): void {
  if (!res.hasHeader('Content-Security-Policy')) setSecurityHeaders(res, { secure: false });
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(body);
}

function json(res: ServerResponse, value: unknown): void {
  setSecurityHeaders(res, { secure: false });
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(value));
}
