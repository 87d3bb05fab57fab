import { constants, existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { FileError } from './file-errors.js';
import type { FileRoot } from './file-root.js';

const DIRECTORY_FLAGS = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0);

/**
 * Linux names every open descriptor in /proc/self/fd, and a path through `/proc/self/fd/N/` is resolved
 * from the directory that descriptor holds — not from its name, which an attacker may have swapped for a
 * symbolic link since. That gives Node, which has no openat(2), the same guarantee: a name opened,
 * created, renamed or removed through a VerifiedDir lands in that directory and nowhere else.
 */
const DESCRIPTOR_PATHS = process.platform === 'linux' && existsSync('/proc/self/fd');

/**
 * A directory inside the file root, held open. It was reached from the root one component at a time,
 * each opened with O_NOFOLLOW|O_DIRECTORY relative to the one before (an openat-style walk), so no
 * symbolic link anywhere on the way was followed, whatever was swapped in during the walk.
 */
export class VerifiedDir {
  private constructor(
    private readonly handle: fs.FileHandle | null,
    private readonly plainPath: string,
  ) {}

  /**
   * Walks from the root to `realDir` (a real path inside the root, as FileRoot's checks produce),
   * making missing components with `createMode` when given. A component that is a symbolic link (or was
   * swapped for one) is refused with PATH_ESCAPE; one that is a file with ENOTDIR.
   */
  static async open(root: FileRoot, realDir: string, shown: string, createMode?: number): Promise<VerifiedDir> {
    if (!root.contains(realDir)) throw escape(shown);
    if (!DESCRIPTOR_PATHS) return new VerifiedDir(null, realDir);
    const parts = path
      .relative(root.real, realDir)
      .split(path.sep)
      .filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) throw escape(shown);
    let current = await fs.open(root.real, DIRECTORY_FLAGS);
    try {
      for (const part of parts) {
        const next = `/proc/self/fd/${current.fd}/${part}`;
        let opened: fs.FileHandle;
        try {
          opened = await fs.open(next, DIRECTORY_FLAGS);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code !== 'ENOENT' || createMode === undefined) throw walkError(err, shown);
          await fs.mkdir(next, { mode: createMode & 0o777 }).catch((mkdirErr: NodeJS.ErrnoException) => {
            if (mkdirErr.code !== 'EEXIST') throw mkdirErr;
          });
          opened = await fs.open(next, DIRECTORY_FLAGS).catch((again: unknown) => {
            throw walkError(again, shown);
          });
        }
        await current.close();
        current = opened;
      }
      await root.verifyDescriptor(current.fd, shown);
      return new VerifiedDir(current, realDir);
    } catch (err) {
      await current.close().catch(() => {});
      throw err;
    }
  }

  /** The path by which `name` (one component) in this directory is reached without following links above it. */
  entry(name: string): string {
    if (name === '' || name === '.' || name === '..' || name.includes('/'))
      throw new Error(`internal: not one component: ${name}`);
    return this.handle ? `/proc/self/fd/${this.handle.fd}/${name}` : path.join(this.plainPath, name);
  }

  /** Whether descriptor-relative paths are in use (Linux with /proc); otherwise only the path checks stand. */
  get anchored(): boolean {
    return this.handle !== null;
  }

  async close(): Promise<void> {
    await this.handle?.close().catch(() => {});
  }
}

function walkError(err: unknown, shown: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return escape(shown);
  if (code === 'ENOTDIR') return new FileError('ENOTDIR', `not a directory: ${shown}`, { cause: err });
  return err as Error;
}

function escape(shown: string): FileError {
  return new FileError('PATH_ESCAPE', `path escapes the server's file root: ${shown}`);
}
