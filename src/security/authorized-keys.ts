import { readFileSync, statSync } from 'node:fs';
import { parseAuthorizedKeyLine } from './authorized-key-line.js';
import type { KeyOptions } from './key-options.js';
import type { SshKeyType } from './ssh-key-blob.js';

export interface AuthorizedKey {
  readonly fingerprint: string;
  /** The line's key type and SSH wire blob, so a verifier can build the key (Ed25519, RSA, ECDSA). */
  readonly keyType: SshKeyType;
  readonly blob: Buffer;
  readonly comment: string;
  /** What the line's options allow (PROTOCOL.md §10.4, docs/SECURITY.md). */
  readonly options: KeyOptions;
  /** 1-based line in the file, for messages. */
  readonly line: number;
}

/** Where a connection comes from, for `from=` and `expiry-time=`. */
export interface AuthorizationContext {
  readonly address: string;
  readonly nowMs: number;
}

export type Authorization = { readonly entry: AuthorizedKey } | { readonly refused: string };

/**
 * The server's authorized_keys. The file is stat'ed on every lookup and re-read
 * when its size, mtime or inode changed, so an edit takes effect on the next
 * connection without a restart and without a watcher that could miss events.
 * Lines it cannot use (unknown key types or options, garbage) are skipped and reported.
 */
export class AuthorizedKeys {
  readonly file: string;
  private signature = '';
  private keys = new Map<string, AuthorizedKey[]>();
  private readonly onSkipped: (line: number, reason: string) => void;

  constructor(file: string, onSkipped: (line: number, reason: string) => void = () => {}) {
    this.file = file;
    this.onSkipped = onSkipped;
  }

  /** The first line for a key fingerprint, or null when the key is not listed (or the file is gone). */
  lookup(fingerprint: string): AuthorizedKey | null {
    this.refresh();
    return this.keys.get(fingerprint)?.[0] ?? null;
  }

  /**
   * Whether a key may be used from this connection. As in sshd, every line listing the key is tried in
   * order and the first whose options allow the connection wins; otherwise the last refusal is reported.
   */
  authorize(fingerprint: string, context: AuthorizationContext): Authorization {
    this.refresh();
    const entries = this.keys.get(fingerprint);
    if (!entries) return { refused: `key not in ${this.file}` };
    let refused = '';
    for (const entry of entries) {
      const why = refusal(entry, context);
      if (why === null) return { entry };
      refused = `${this.file} line ${entry.line}: ${why}`;
    }
    return { refused };
  }

  get size(): number {
    this.refresh();
    return this.keys.size;
  }

  private refresh(): void {
    let signature: string;
    try {
      const st = statSync(this.file);
      signature = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    } catch {
      this.keys = new Map();
      this.signature = '';
      return;
    }
    if (signature === this.signature) return;
    this.signature = signature;
    this.keys = this.parse(readFileSync(this.file, 'utf8'));
  }

  private parse(text: string): Map<string, AuthorizedKey[]> {
    const keys = new Map<string, AuthorizedKey[]>();
    text.split('\n').forEach((raw, index) => {
      try {
        const parsed = parseAuthorizedKeyLine(raw);
        if (!parsed) return;
        const { fingerprint, type, blob } = parsed.key;
        const entry = {
          fingerprint,
          keyType: type,
          blob,
          comment: parsed.comment,
          options: parsed.options,
          line: index + 1,
        };
        const list = keys.get(fingerprint);
        if (list) list.push(entry);
        else keys.set(fingerprint, [entry]);
      } catch (err) {
        this.onSkipped(index + 1, (err as Error).message);
      }
    });
    return keys;
  }
}

function refusal(entry: AuthorizedKey, context: AuthorizationContext): string | null {
  const { from, expiresAtMs } = entry.options;
  if (from && !from.matches(context.address)) return `from="${from.text}" does not match ${context.address}`;
  if (expiresAtMs !== null && context.nowMs >= expiresAtMs)
    return `the key expired at ${new Date(expiresAtMs).toISOString()}`;
  return null;
}
