import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ChannelOpener } from '../client-channel.js';
import { localMode } from './peer-names.js';
import { walkLocal, walkRemote, type TreeFilter } from './tree-walk.js';
import { LocalFileError } from '../../errors.js';
import { getFile, mkdirRemote, putFile, statRemote } from './transfers.js';
import type { TransferOptions, TransferResult } from './transfer-types.js';

export interface DirectoryTransferOptions extends Omit<TransferOptions, 'mkdirs'> {
  /** Called with each entry's path relative to the top (`/`-separated); false skips it (a directory with its subtree). */
  filter?: TreeFilter;
}

export interface DirectoryTransferResult {
  /** One result per file copied, in tree order. */
  readonly files: readonly TransferResult[];
  /** Directories made (the top one included), empty ones too. */
  readonly directories: number;
}

/**
 * Copies the contents of local directory `localDir` into `remoteDir` (made, with its parents, when
 * missing), as `put -r` does: directories first, empty ones too, each file verified and atomic.
 */
export async function putDirectory(
  client: ChannelOpener,
  localDir: string,
  remoteDir: string,
  options: DirectoryTransferOptions = {},
): Promise<DirectoryTransferResult> {
  const top = await fs.stat(localDir).catch(() => null);
  if (!top?.isDirectory()) throw new LocalFileError(top ? 'ENOTDIR' : 'ENOENT', `not a directory: ${localDir}`);
  const entries = await walkLocal(localDir, options.filter);
  await mkdirRemote(client, remoteDir, (top.mode & 0o777) | 0o700);
  let directories = 1;
  const files: TransferResult[] = [];
  for (const entry of entries) {
    const remote = path.posix.join(remoteDir, ...entry.rel.split(path.sep));
    if (entry.dirMode !== undefined) {
      await mkdirRemote(client, remote, (entry.dirMode & 0o777) | 0o700);
      directories += 1;
    } else {
      files.push(await putFile(client, path.join(localDir, entry.rel), remote, { ...options, mkdirs: true }));
    }
  }
  return { files, directories };
}

/**
 * Copies the contents of remote directory `remoteDir` into `localDir` (made when missing), as `get -r`
 * does. Every name the server lists is checked first (docs/SECURITY.md); modes never carry setuid,
 * setgid or sticky bits and get the umask unless `preserve`.
 */
export async function getDirectory(
  client: ChannelOpener,
  remoteDir: string,
  localDir: string,
  options: DirectoryTransferOptions = {},
): Promise<DirectoryTransferResult> {
  const top = await statRemote(client, remoteDir);
  if (top.type !== 'directory')
    throw new LocalFileError(top.type === 'none' ? 'ENOENT' : 'ENOTDIR', `not a directory on the server: ${remoteDir}`);
  const entries = await walkRemote(client, remoteDir, options.filter);
  const preserve = options.preserve ?? false;
  await fs.mkdir(localDir, { recursive: true, mode: localMode(top.mode, preserve) | 0o700 });
  let directories = 1;
  const files: TransferResult[] = [];
  for (const entry of entries) {
    const local = path.join(localDir, ...entry.rel.split('/'));
    if (entry.dirMode !== undefined) {
      await fs.mkdir(local, { recursive: true, mode: localMode(entry.dirMode, preserve) | 0o700 });
      directories += 1;
    } else {
      files.push(await getFile(client, path.posix.join(remoteDir, entry.rel), local, options));
    }
  }
  return { files, directories };
}
