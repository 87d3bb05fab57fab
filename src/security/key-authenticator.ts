import { setTimeout as sleep } from 'node:timers/promises';
import { SecurityError } from '../errors.js';
import type { AuthMessage } from '../protocol/messages.js';
import type { AuthFailures } from './auth-failures.js';
import type { AuthenticatedIdentity, Authenticator } from './authenticator.js';
import type { AuthorizedKeys } from './authorized-keys.js';
import { authPayload } from './auth-proof.js';
import { parsePublicKeyLine } from './public-key-format.js';
import { isSignatureAlgorithm, SIGNATURE_ALGORITHMS, verifyWith } from './signature-algorithms.js';

export interface AuthAudit {
  succeeded(identity: AuthenticatedIdentity): void;
  failed(info: { fingerprint: string | null; comment: string; reason: string; failures: number }): void;
}

/**
 * Public-key authentication for one TLS connection (PROTOCOL.md §10.2): the key
 * must be in authorized_keys and the signature, by the algorithm the message
 * names, must cover this connection's exporter value (handed in by the server,
 * which owns the socket). The client learns only "authentication failed"; the
 * audit log gets the reason.
 */
export class KeyAuthenticator implements Authenticator {
  private readonly exporterValue: Buffer;
  private readonly keys: AuthorizedKeys;
  private readonly failures: AuthFailures;
  private readonly address: string;
  private readonly audit: AuthAudit;
  readonly onAuthenticated: (identity: AuthenticatedIdentity) => void;

  constructor(
    exporterValue: Buffer,
    keys: AuthorizedKeys,
    failures: AuthFailures,
    address: string,
    audit: AuthAudit,
    onAuthenticated: (identity: AuthenticatedIdentity) => void,
  ) {
    this.exporterValue = exporterValue;
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
    if (!parsed) return this.refuse(null, '', 'the auth message carries no usable public key');
    // Method "ed25519" is the first form of the proof: alg ssh-ed25519, not itself signed.
    const alg = message.method === 'ed25519' ? 'ssh-ed25519' : message.alg;
    if (!isSignatureAlgorithm(alg)) return this.refuse(parsed.fingerprint, parsed.comment, `unsupported signature algorithm ${String(alg).slice(0, 40)}`);
    if (SIGNATURE_ALGORITHMS[alg].keyType !== parsed.type) {
      return this.refuse(parsed.fingerprint, parsed.comment, `algorithm ${alg} does not fit a ${parsed.type} key`);
    }
    const entry = this.keys.lookup(parsed.fingerprint);
    if (!entry) return this.refuse(parsed.fingerprint, parsed.comment, `key not in ${this.keys.file}`);
    const payload = authPayload(this.exporterValue, message.publicKey, message.method === 'ed25519' ? null : alg);
    if (!verifyWith(alg, parsed.key, payload, Buffer.from(message.signature, 'base64'))) {
      return this.refuse(parsed.fingerprint, parsed.comment, `${alg} signature does not cover this TLS session`);
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
