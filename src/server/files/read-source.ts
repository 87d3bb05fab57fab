import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { FileError } from './file-errors.js';
import type { FileRoot } from './file-root.js';
import { VerifiedDir } from './verified-dir.js';

/**
 * Opens a file to send. A symbolic link is followed only to a target inside
 * the root; the open itself refuses links (O_NOFOLLOW) and does not block on
 * a FIFO (O_NONBLOCK), and the descriptor is checked once open. Anything but a
 * regular file is refused: devices, FIFOs and sockets have no end or no size.
 */
export async function openReadSource(
  root: FileRoot,
  requested: string,
): Promise<{ file: fs.FileHandle; real: string }> {
  let real = await root.entry(root.lexical(requested), requested);
  const link = await fs.lstat(real);
  if (link.isSymbolicLink()) {
    real = await fs.realpath(real);
    if (!root.contains(real)) throw new FileError('PATH_ESCAPE', `path escapes the server's file root: ${requested}`);
  }
  if (real === root.real) throw new FileError('EISDIR', `is a directory (use -r): ${requested}`);
  // Opened through its verified parent directory's descriptor, so no link swapped in above it is followed.
  const parent = await VerifiedDir.open(root, path.dirname(real), requested);
  const file = await fs
    .open(
      parent.entry(path.basename(real)),
      constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0),
    )
    .finally(() => parent.close());
  try {
    await root.verifyDescriptor(file.fd, requested);
    const stat = await file.stat();
    if (stat.isDirectory()) throw new FileError('EISDIR', `is a directory (use -r): ${requested}`);
    if (!stat.isFile())
      throw new FileError('SPECIAL_FILE', `not a regular file (device, FIFO or socket): ${requested}`);
    return { file, real };
  } catch (err) {
    await file.close();
    throw err;
  }
}
