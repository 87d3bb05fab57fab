import { readFileSync, statSync } from 'node:fs';
import { parsePublicKeyLine } from './public-key-format.js';

export interface AuthorizedKey {
  readonly fingerprint: string;
  readonly comment: string;
  /** 1-based line in the file, for messages. */
  readonly line: number;
}

/**
 * The server's authorized_keys. The file is stat'ed on every lookup and re-read
 * when its size, mtime or inode changed, so an edit takes effect on the next
 * connection without a restart and without a watcher that could miss events.
 * Lines it cannot use (other key types, garbage) are skipped and reported.
 */
export class AuthorizedKeys {
  readonly file: string;
  private signature = '';
  private keys = new Map<string, AuthorizedKey>();
  private readonly onSkipped: (line: number, reason: string) => void;

  constructor(file: string, onSkipped: (line: number, reason: string) => void = () => {}) {
    this.file = file;
    this.onSkipped = onSkipped;
  }

  /** The entry for a key fingerprint, or null when the key is not authorized (or the file is gone). */
  lookup(fingerprint: string): AuthorizedKey | null {
    this.refresh();
    return this.keys.get(fingerprint) ?? null;
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

  private parse(text: string): Map<string, AuthorizedKey> {
    const keys = new Map<string, AuthorizedKey>();
    text.split('\n').forEach((raw, index) => {
      try {
        const parsed = parsePublicKeyLine(raw);
        if (parsed) keys.set(parsed.fingerprint, { fingerprint: parsed.fingerprint, comment: parsed.comment, line: index + 1 });
      } catch (err) {
        this.onSkipped(index + 1, (err as Error).message);
      }
    });
    return keys;
  }
}
