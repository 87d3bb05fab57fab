import { setTimeout as sleep } from 'node:timers/promises';
import { SecurityError } from '../errors.js';
import type { AuthMessage } from '../protocol/messages.js';
import type { AuthAttempt, AuthFailures } from './auth-failures.js';
import type { AuthenticatedIdentity, Authenticator } from './authenticator.js';
import type { AuthorizedKeys } from './authorized-keys.js';
import { authPayload } from './auth-proof.js';
import { parsePublicKeyLine } from './public-key-format.js';
import { isSignatureAlgorithm, SIGNATURE_ALGORITHMS, verifyWith } from './signature-algorithms.js';

/** Longest key comment or reason the audit log carries; a client chooses them, so they are cut. */
const MAX_LOGGED_TEXT = 256;

export interface AuthAudit {
  succeeded(identity: AuthenticatedIdentity): void;
  failed(info: { fingerprint: string | null; comment: string; reason: string; failures: number }): void;
}

/**
 * Where the attempt comes from, by when the server's grace time wants an answer, and whether the
 * connection is still there: handed in by the server, which owns the socket (security/ has none).
 */
export interface AuthSource {
  readonly address: string;
  /** `Date.now()` value at which the grace time (PROTOCOL.md §10.2) ends. */
  readonly graceDeadlineMs: number;
  /** Calls `callback` once if the connection closes; returns a function that stops that. */
  onClose(callback: () => void): () => void;
  isClosed(): boolean;
}

/**
 * Public-key authentication for one TLS connection (PROTOCOL.md §10.2): the key must be in
 * authorized_keys and allowed from this address, and the signature, by the algorithm the message
 * names, must cover this connection's exporter value. The client learns only "authentication
 * failed"; the audit log gets the reason.
 */
export class KeyAuthenticator implements Authenticator {
  /** The outcome went to the audit log (once per attempt). */
  private logged = false;

  constructor(
    private readonly exporterValue: Buffer,
    private readonly keys: AuthorizedKeys,
    private readonly failures: AuthFailures,
    private readonly source: AuthSource,
    private readonly audit: AuthAudit,
    readonly onAuthenticated: (identity: AuthenticatedIdentity) => void,
  ) {}

  async authenticate(message: AuthMessage): Promise<AuthenticatedIdentity> {
    // Hanging up before the answer does not escape the count: the close settles the attempt as failed.
    const attempt = this.failures.begin(this.source.address);
    const receivedAt = Date.now();
    let parsed;
    try {
      parsed = parsePublicKeyLine(message.publicKey);
    } catch {
      parsed = null;
    }
    const fingerprint = parsed?.fingerprint ?? null;
    const comment = clip(parsed?.comment ?? '');
    const stopWatching = this.source.onClose(() => {
      if (!this.logged)
        this.audit.failed({
          fingerprint,
          comment,
          reason: 'the client closed before the answer',
          failures: attempt.failed(),
        });
      this.logged = true;
    });
    try {
      // A proof from an address with failures behind it is checked only after the delay, so the
      // answer (or its absence) tells nothing until then.
      await sleep(this.capped(attempt.delayBeforeVerifyMs));
      if (this.source.isClosed()) throw new SecurityError('AUTH_FAILED', 'the client closed before the answer');
      if (!parsed)
        return await this.refuse(attempt, receivedAt, null, '', 'the auth message carries no usable public key');
      // Method "ed25519" is the first form of the proof: alg ssh-ed25519, not itself signed.
      const alg = message.method === 'ed25519' ? 'ssh-ed25519' : message.alg;
      if (!isSignatureAlgorithm(alg)) {
        return await this.refuse(
          attempt,
          receivedAt,
          parsed.fingerprint,
          comment,
          `unsupported signature algorithm ${String(alg).slice(0, 40)}`,
        );
      }
      if (SIGNATURE_ALGORITHMS[alg].keyType !== parsed.type) {
        return await this.refuse(
          attempt,
          receivedAt,
          parsed.fingerprint,
          comment,
          `algorithm ${alg} does not fit a ${parsed.type} key`,
        );
      }
      const authorization = this.keys.authorize(parsed.fingerprint, {
        address: this.source.address,
        nowMs: Date.now(),
      });
      if ('refused' in authorization)
        return await this.refuse(attempt, receivedAt, parsed.fingerprint, comment, authorization.refused);
      const payload = authPayload(this.exporterValue, message.publicKey, message.method === 'ed25519' ? null : alg);
      if (!verifyWith(alg, parsed.key, payload, Buffer.from(message.signature, 'base64'))) {
        return await this.refuse(
          attempt,
          receivedAt,
          parsed.fingerprint,
          comment,
          `${alg} signature does not cover this TLS session`,
        );
      }
      attempt.succeeded();
      this.logged = true;
      const entry = authorization.entry;
      const identity = {
        fingerprint: parsed.fingerprint,
        comment: clip(entry.comment || parsed.comment),
        options: entry.options,
      };
      this.audit.succeeded(identity);
      return identity;
    } finally {
      stopWatching();
      // Whatever else ended the attempt without success (a throw on the way) counts as a failure.
      attempt.failed();
    }
  }

  private async refuse(
    attempt: AuthAttempt,
    receivedAt: number,
    fingerprint: string | null,
    comment: string,
    reason: string,
  ): Promise<never> {
    this.logged = true;
    this.audit.failed({ fingerprint, comment, reason: clip(reason), failures: attempt.failed() });
    await sleep(this.capped(attempt.failureAnswerMs - (Date.now() - receivedAt)));
    throw new SecurityError(
      'AUTH_FAILED',
      `authentication failed${fingerprint ? ` for key ${fingerprint}` : ''}: the server does not accept this key`,
    );
  }

  /** A delay never runs past the grace time: a refused key hears AUTH_FAILED, not AUTH_TIMEOUT. */
  private capped(delayMs: number): number {
    return Math.max(0, Math.min(delayMs, this.source.graceDeadlineMs - Date.now()));
  }
}

function clip(text: string): string {
  return text.length <= MAX_LOGGED_TEXT ? text : `${text.slice(0, MAX_LOGGED_TEXT)}… (${text.length} characters)`;
}
