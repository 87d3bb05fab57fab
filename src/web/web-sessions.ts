import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { KeyOptions } from '../security/key-options.js';

import { DEFAULT_WEB_IDLE_MS, DEFAULT_WEB_MAX_AGE_MS } from './web-defaults.js';

export { DEFAULT_WEB_IDLE_MS, DEFAULT_WEB_MAX_AGE_MS };

/** Who minted a session's token: the key's fingerprint and comment (null on an --insecure server). */
export interface WebOwner {
  readonly fingerprint: string | null;
  readonly comment: string;
  /** The key's authorized_keys options: they bind the browser's channels as they bind the key's own. */
  readonly options?: KeyOptions;
}

/** What `framesh web-sessions` lists (PROTOCOL.md §12.2): never the cookie's secret. */
export interface WebSessionInfo {
  readonly id: string;
  readonly fingerprint: string | null;
  readonly comment: string;
  readonly createdMs: number;
  readonly lastSeenMs: number;
  readonly expiresMs: number;
  /** Open WebSockets of the session (filled in by the web service, which holds them). */
  readonly sockets: number;
}

interface Entry {
  readonly id: string;
  readonly secret: string;
  readonly owner: WebOwner;
  readonly createdMs: number;
  lastSeenMs: number;
}

/**
 * Browser sessions, server side only: the cookie carries a random secret, and the store maps it to a
 * session with a public `id` (shown and revoked by `web-sessions`), its owner and its two deadlines.
 * Emits `ended` (id, why) when a session is revoked or expires, so its sockets are closed.
 */
export class WebSessions extends EventEmitter<{ ended: [id: string, reason: 'revoked' | 'expired'] }> {
  private readonly bySecret = new Map<string, Entry>();

  constructor(
    readonly idleMs: number = DEFAULT_WEB_IDLE_MS,
    readonly maxAgeMs: number = DEFAULT_WEB_MAX_AGE_MS,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  /** A new session for `owner`; `secret` goes into the cookie and nowhere else. */
  create(owner: WebOwner): { id: string; secret: string } {
    const secret = randomBytes(32).toString('base64url');
    const id = randomBytes(6).toString('hex');
    const now = this.now();
    this.bySecret.set(secret, { id, secret, owner, createdMs: now, lastSeenMs: now });
    return { id, secret };
  }

  /** The live session a cookie names, its idle clock restarted; null (and ended) when it has expired. */
  touch(secret: string | undefined): { id: string; owner: WebOwner } | null {
    if (!secret) return null;
    const entry = this.bySecret.get(secret);
    if (!entry) return null;
    if (this.expired(entry)) {
      this.end(entry, 'expired');
      return null;
    }
    entry.lastSeenMs = this.now();
    return { id: entry.id, owner: entry.owner };
  }

  list(): Array<Omit<WebSessionInfo, 'sockets'>> {
    this.expireDue();
    return [...this.bySecret.values()].map((e) => ({
      id: e.id,
      fingerprint: e.owner.fingerprint,
      comment: e.owner.comment,
      createdMs: e.createdMs,
      lastSeenMs: e.lastSeenMs,
      expiresMs: Math.min(e.lastSeenMs + this.idleMs, e.createdMs + this.maxAgeMs),
    }));
  }

  /** Ends the session with public id `id`; false when there is none. */
  revoke(id: string): boolean {
    for (const entry of this.bySecret.values()) {
      if (entry.id === id) {
        this.end(entry, 'revoked');
        return true;
      }
    }
    return false;
  }

  /** Ends every session past a deadline (run periodically, so a silent open socket is closed in time too). */
  expireDue(): void {
    for (const entry of [...this.bySecret.values()]) if (this.expired(entry)) this.end(entry, 'expired');
  }

  private expired(entry: Entry): boolean {
    const now = this.now();
    return now >= entry.lastSeenMs + this.idleMs || now >= entry.createdMs + this.maxAgeMs;
  }

  private end(entry: Entry, reason: 'revoked' | 'expired'): void {
    this.bySecret.delete(entry.secret);
    this.emit('ended', entry.id, reason);
  }
}
