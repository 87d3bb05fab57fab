import { constants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileError } from './file-errors.js';

/**
 * The server's file root (`serve --root`). Every path a client names is
 * resolved here and must stay inside. docs/SECURITY.md, "File root and path
 * safety", explains the checks and what they leave open.
 */
export class FileRoot {
  /** The root's real path (symbolic links resolved once, at start). */
  readonly real: string;
  /** The server account's home, for `~` and `~/…` (PROTOCOL.md §9); it must lie inside the root to be used. */
  private readonly home: string;

  private constructor(real: string, home: string) {
    this.real = real;
    this.home = home;
  }

  static async open(dir: string, home: string = os.homedir()): Promise<FileRoot> {
    return new FileRoot(await fs.realpath(dir), await fs.realpath(home).catch(() => path.resolve(home)));
  }

  /**
   * Lexical step: `requested` relative to the root, or absolute. Refuses `..`
   * that climbs out and absolute paths elsewhere, before touching the disk.
   */
  lexical(requested: string): string {
    // `~` and `~/x` are the account's home, as in scp; `~user` is not special (framesh has no other users).
    const fromHome = requested === '~' || requested.startsWith('~/');
    const candidate = fromHome ? path.resolve(this.home, requested.slice(2)) : path.resolve(this.real, requested);
    if (!this.contains(candidate)) throw escape(requested);
    return candidate;
  }

  /**
   * The real path of an existing directory that must be inside the root:
   * symbolic links at any depth are resolved and the result checked.
   */
  async realDirectory(dir: string, shown: string): Promise<string> {
    const real = await fs.realpath(dir);
    if (!this.contains(real)) throw escape(shown);
    return real;
  }

  /**
   * An entry's path with its parent directory's symbolic links resolved and
   * checked; the entry itself is not followed. The root names itself.
   */
  async entry(lexical: string, shown: string): Promise<string> {
    if (lexical === this.real) return this.real;
    return path.join(await this.realDirectory(path.dirname(lexical), shown), path.basename(lexical));
  }

  /**
   * Checks what an open descriptor really is. Linux names the opened file in
   * /proc/self/fd, so a symbolic link swapped in after an earlier check is
   * caught here: the bytes we read or write are those of the file we verified.
   */
  async verifyDescriptor(fd: number, shown: string): Promise<void> {
    let real: string;
    try {
      real = await fs.readlink(`/proc/self/fd/${fd}`);
    } catch {
      return; // No /proc (not Linux): the O_NOFOLLOW open and directory checks stand alone.
    }
    if (!this.contains(real)) throw escape(shown);
  }

  contains(candidate: string): boolean {
    const relative = path.relative(this.real, candidate);
    // Only a whole `..` component climbs out: `..bashrc` is a dotfile in the root, not a parent reference.
    const climbs = relative === '..' || relative.startsWith(`..${path.sep}`);
    return relative === '' || (!climbs && !path.isAbsolute(relative));
  }

  /** How a path is shown to the client: relative to the root. */
  shown(absolute: string): string {
    return path.relative(this.real, absolute) || '.';
  }
}

/** Open flags that refuse a symbolic link as the final component. */
export const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

function escape(requested: string): FileError {
  return new FileError('PATH_ESCAPE', `path escapes the server's file root: ${requested}`);
}
