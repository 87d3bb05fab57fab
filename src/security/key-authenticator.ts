import { setTimeout as sleep } from 'node:timers/promises';
import type { TLSSocket } from 'node:tls';
import { SecurityError } from '../errors.js';
import type { AuthMessage } from '../protocol/messages.js';
import type { AuthenticatedIdentity, Authenticator } from '../server/server-session.js';
import type { AuthFailures } from './auth-failures.js';
import type { AuthorizedKeys } from './authorized-keys.js';
import { verifyAuth } from './auth-proof.js';
import { parsePublicKeyLine } from './public-key-format.js';

export interface AuthAudit {
  succeeded(identity: AuthenticatedIdentity): void;
  failed(info: { fingerprint: string | null; comment: string; reason: string; failures: number }): void;
}

/**
 * Public-key authentication for one TLS connection (PROTOCOL.md §10): the key
 * must be in authorized_keys and the signature must cover this connection's
 * exporter value. The client learns only "authentication failed"; the audit
 * log gets the reason.
 */
export class KeyAuthenticator implements Authenticator {
  private readonly socket: TLSSocket;
  private readonly keys: AuthorizedKeys;
  private readonly failures: AuthFailures;
  private readonly address: string;
  private readonly audit: AuthAudit;
  readonly onAuthenticated: (identity: AuthenticatedIdentity) => void;

  constructor(
    socket: TLSSocket,
    keys: AuthorizedKeys,
    failures: AuthFailures,
    address: string,
    audit: AuthAudit,
    onAuthenticated: (identity: AuthenticatedIdentity) => void,
  ) {
    this.socket = socket;
    this.keys = keys;
    this.failures = failures;
    this.address = address;
    this.audit = audit;
    this.onAuthenticated = onAuthenticated;
  }

  async authenticate(message: AuthMessage): Promise<AuthenticatedIdentity> {
    let parsed;
    try {
      parsed = parsePublicKeyLine(message.publicKey);
    } catch {
      parsed = null;
    }
    if (!parsed) return this.refuse(null, '', 'the auth message carries no usable Ed25519 public key');
    const entry = this.keys.lookup(parsed.fingerprint);
    if (!entry) return this.refuse(parsed.fingerprint, parsed.comment, `key not in ${this.keys.file}`);
    if (!verifyAuth(this.socket, message.publicKey, parsed.key, message.signature)) {
      return this.refuse(parsed.fingerprint, parsed.comment, 'signature does not cover this TLS session');
    }
    const identity = { fingerprint: parsed.fingerprint, comment: entry.comment || parsed.comment };
    this.audit.succeeded(identity);
    return identity;
  }

  private async refuse(fingerprint: string | null, comment: string, reason: string): Promise<never> {
    const { count, delayMs } = this.failures.record(this.address);
    this.audit.failed({ fingerprint, comment, reason, failures: count });
    await sleep(delayMs);
    throw new SecurityError('AUTH_FAILED', `authentication failed${fingerprint ? ` for key ${fingerprint}` : ''}: the server does not accept this key`);
  }
}
