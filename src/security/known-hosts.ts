import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { SecurityError } from '../errors.js';

export interface KnownHostEntry {
  readonly fingerprint: string;
  readonly line: number;
}

/** How to treat a server whose key is not yet in known_hosts. */
export interface HostKeyPolicy {
  /** Pin: the server must present exactly this fingerprint. */
  readonly fingerprint?: string;
  /** Add unknown hosts without asking (StrictHostKeyChecking=accept-new). */
  readonly acceptNew?: boolean;
  /** Ask a person; resolves true to trust and remember. Absent: unknown hosts are refused. */
  readonly confirm?: (host: string, fingerprint: string) => Promise<boolean>;
  /** Fingerprints trusted without an entry (the local machine's own host key). */
  readonly alsoTrusted?: readonly string[];
  /** Told each decision, for -v. */
  readonly debug?: (line: string) => void;
}

/**
 * The client's known_hosts: one `HOST:PORT SHA256:…` per line (docs/SECURITY.md). As in OpenSSH, a host
 * may have several lines and a key matching any of them is known. A host whose key matches none is
 * refused with both fingerprints and the line to remove. New hosts are added under a lock, after the
 * file is read again, so two clients meeting the same new host at once cannot pin two keys for it.
 */
export class KnownHosts {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  /** Every entry for `hostPort`, in file order. */
  lookupAll(hostPort: string): KnownHostEntry[] {
    if (!existsSync(this.file)) return [];
    const entries: KnownHostEntry[] = [];
    readFileSync(this.file, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        const [name, fingerprint] = text.trim().split(/\s+/);
        if (name === hostPort && fingerprint) entries.push({ fingerprint, line: i + 1 });
      });
    return entries;
  }

  /**
   * Forgets a host (`keygen -R`): `HOST:PORT` removes that entry, a bare `HOST` every port's. The
   * file is rewritten through a temporary file and a rename, so a crash leaves the old or the new
   * file, never half of one. Returns the 1-based line numbers removed.
   */
  remove(host: string): number[] {
    if (!existsSync(this.file)) return [];
    const lines = readFileSync(this.file, 'utf8').split('\n');
    const removed: number[] = [];
    const kept = lines.filter((line, index) => {
      const name = line.trim().split(/\s+/)[0] ?? '';
      const matches =
        name === host ||
        (!/:\d+$/.test(host) && name.startsWith(`${host}:`) && /^\d+$/.test(name.slice(host.length + 1)));
      if (matches) removed.push(index + 1);
      return !matches;
    });
    if (removed.length === 0) return [];
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, kept.join('\n'), { mode: 0o600, flag: 'wx' });
      renameSync(temp, this.file);
    } catch (err) {
      rmSync(temp, { force: true });
      throw err;
    }
    return removed;
  }

  /** The first entry for `hostPort`, or null. */
  lookup(hostPort: string): KnownHostEntry | null {
    return this.lookupAll(hostPort)[0] ?? null;
  }

  /** Appends an entry without checking; verify() is the checked, locked way. */
  add(hostPort: string, fingerprint: string): void {
    appendFileSync(this.file, `${hostPort} ${fingerprint}\n`, { mode: 0o600 });
  }

  /** Decides whether to trust `fingerprint` for `hostPort`; throws a SecurityError when not. */
  async verify(
    hostPort: string,
    fingerprint: string,
    policy: HostKeyPolicy,
  ): Promise<'known' | 'added' | 'pinned' | 'local'> {
    const decision = await this.decide(hostPort, fingerprint, policy);
    const why = {
      known: `matches ${this.file}`,
      added: `added to ${this.file}`,
      pinned: 'matches the pinned fingerprint',
      local: "is this machine's own server key",
    };
    policy.debug?.(`host key ${fingerprint} for ${hostPort} ${why[decision]}`);
    return decision;
  }

  private async decide(
    hostPort: string,
    fingerprint: string,
    policy: HostKeyPolicy,
  ): Promise<'known' | 'added' | 'pinned' | 'local'> {
    if (policy.fingerprint) {
      if (policy.fingerprint === fingerprint) return 'pinned';
      throw new SecurityError(
        'HOST_KEY_MISMATCH',
        `host key for ${hostPort} is ${fingerprint}, not the pinned ${policy.fingerprint}; refusing to connect`,
      );
    }
    const known = this.check(hostPort, fingerprint);
    if (known) return known;
    if (policy.alsoTrusted?.includes(fingerprint)) return 'local';
    if (policy.acceptNew || (policy.confirm && (await policy.confirm(hostPort, fingerprint)))) {
      // Check again under the lock: another client may have added this host since (or while we asked).
      // The lock code is loaded only now, when a host is added: most connections meet known hosts.
      const { withFileLock } = await import('./file-lock.js');
      return withFileLock(`${this.file}.lock`, () => {
        const now = this.check(hostPort, fingerprint);
        if (now) return now;
        this.add(hostPort, fingerprint);
        return 'added' as const;
      });
    }
    throw new SecurityError(
      'HOST_KEY_UNKNOWN',
      `the authenticity of ${hostPort} can't be established: its key fingerprint is ${fingerprint}. ` +
        'Check it with the server (framesh serve prints it), then connect with --accept-new or --fingerprint ' +
        fingerprint,
    );
  }

  /** 'known' if an entry matches, null if there is none, HOST_KEY_CHANGED if entries exist and none matches. */
  private check(hostPort: string, fingerprint: string): 'known' | null {
    const entries = this.lookupAll(hostPort);
    if (entries.length === 0) return null;
    if (entries.some((e) => e.fingerprint === fingerprint)) return 'known';
    const lines = entries.map((e) => e.line).join(', ');
    throw new SecurityError(
      'HOST_KEY_CHANGED',
      [
        `WARNING: THE HOST KEY FOR ${hostPort} HAS CHANGED. Someone could be intercepting this connection,`,
        `or the server's key was replaced. Expected ${entries.map((e) => e.fingerprint).join(' or ')}, got ${fingerprint}.`,
        `If the change is expected, remove line${entries.length > 1 ? 's' : ''} ${lines} of ${this.file} and connect again.`,
      ].join('\n'),
    );
  }
}
