import { constants, promises as fs, type Stats } from 'node:fs';
import { FileError } from './file-errors.js';

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** A partial file this upload owns: its descriptor and the identity (device, inode) it had when opened. */
export interface OwnedPartial {
  readonly file: fs.FileHandle;
  readonly dev: number;
  readonly ino: number;
}

/**
 * Opens an existing partial to resume it, or returns null when there is none worth resuming. Only a
 * plain regular file with one link is reused (O_NOFOLLOW): a symbolic link, a FIFO, a directory or a hard
 * link to some other file (docs/SECURITY.md) is removed — the name, never what it points at — so that a
 * fresh partial can be created in its place.
 */
export async function openResumablePartial(partialPath: string): Promise<OwnedPartial | null> {
  let file: fs.FileHandle;
  try {
    file = await fs.open(partialPath, constants.O_RDWR | NOFOLLOW | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    // ELOOP (a symbolic link), ENXIO (a FIFO or socket), EISDIR: not ours to reuse; clear the name.
    if (code === 'ELOOP' || code === 'ENXIO' || code === 'EISDIR' || code === 'EOPNOTSUPP') {
      await removeName(partialPath);
      return null;
    }
    throw err;
  }
  const stats = await file.stat();
  if (!isPlainFile(stats)) {
    await file.close();
    await removeName(partialPath);
    return null;
  }
  return { file, dev: stats.dev, ino: stats.ino };
}

/**
 * Creates a new partial with O_EXCL, so nothing that appeared at the name (a link planted by someone
 * else, a stale partial) is ever written through. A stale name is removed and the create tried once more.
 */
export async function createPartial(partialPath: string): Promise<OwnedPartial> {
  const flags = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | NOFOLLOW;
  let file: fs.FileHandle;
  try {
    file = await fs.open(partialPath, flags, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    await removeName(partialPath);
    file = await fs.open(partialPath, flags, 0o600);
  }
  const stats = await file.stat();
  return { file, dev: stats.dev, ino: stats.ino };
}

/**
 * Whether `partialPath` still names the file we hold, as a plain file with one link: checked right
 * before the rename, so what lands at the target is the file whose bytes were verified.
 */
export async function stillOwned(partialPath: string, owned: OwnedPartial): Promise<void> {
  const named = await fs.lstat(partialPath).catch(() => null);
  const held = await owned.file.stat();
  if (!named || named.dev !== owned.dev || named.ino !== owned.ino || !isPlainFile(named) || !isPlainFile(held)) {
    throw new FileError(
      'FILE_CHANGED',
      'the partial file was replaced or linked elsewhere during the upload; nothing was replaced',
    );
  }
}

/** Removes the name if it is still ours (same device and inode); a name someone else swapped in stays. */
export async function removeOwned(partialPath: string, owned: OwnedPartial): Promise<void> {
  const named = await fs.lstat(partialPath).catch(() => null);
  if (named && named.dev === owned.dev && named.ino === owned.ino)
    await fs.rm(partialPath, { force: true }).catch(() => {});
}

function isPlainFile(stats: Stats): boolean {
  return stats.isFile() && stats.nlink === 1;
}

/** unlink(2) of a name: a symbolic link or hard link goes, the file it led to stays. A directory stays too. */
async function removeName(partialPath: string): Promise<void> {
  try {
    await fs.unlink(partialPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'EISDIR' || code === 'EPERM') {
      throw new FileError('EISDIR', "a directory is in the way of the upload's partial file");
    }
    throw err;
  }
}
