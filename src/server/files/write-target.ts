import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { PutOpenMessage } from '../../protocol/messages.js';
import { FileError } from './file-errors.js';
import type { FileRoot } from './file-root.js';
import { isPartialName } from './partial-files.js';
import { VerifiedDir } from './verified-dir.js';

/** Where a put lands, on disk and in the client's own words (the `path` of the put's `done`). */
export interface WriteTarget {
  readonly target: string;
  readonly shown: string;
}

/**
 * Where a put lands: `path` under the root, or `path/name` when `path` is an
 * existing directory (scp's rule). A `path` ending in `/` must be a directory
 * (made first with `mkdirs`), as scp reads a trailing slash. The parent must be
 * a real directory inside the root; a directory is never replaced by a file.
 */
export async function resolveWriteTarget(root: FileRoot, request: PutOpenMessage): Promise<WriteTarget> {
  const lexical = root.lexical(request.path);
  const name = request.name === undefined ? undefined : oneComponent(request.name, request.path);
  const wantsDirectory = request.path.endsWith('/') && lexical !== root.real;
  if (wantsDirectory) {
    if (request.mkdirs) await makeParents(root, lexical, request.path);
    const stats = await fs.stat(lexical).catch(() => null);
    if (!stats)
      throw new FileError(
        'ENOENT',
        `no such directory: ${request.path} (a trailing / names a directory; put -r or mkdirs creates it)`,
      );
    if (!stats.isDirectory()) throw new FileError('ENOTDIR', `not a directory: ${request.path}`);
    if (!name) throw new FileError('EISDIR', `a put to a directory needs the file's name: ${request.path}`);
  } else if (request.mkdirs) {
    await makeParents(root, path.dirname(lexical), request.path);
  }
  let target = await root.entry(lexical, request.path);
  let shown = request.path;
  let existing = await lstatOrNull(target);
  if (existing?.isSymbolicLink()) {
    // Replaced by the rename, never written through; but one pointing out of the root is refused loudly.
    const real = await fs.realpath(target).catch(() => null);
    if (real && !root.contains(real))
      throw new FileError('PATH_ESCAPE', `path escapes the server's file root: ${request.path}`);
    existing = await fs.stat(target).catch(() => null);
  }
  if (existing?.isDirectory()) {
    if (!name) throw new FileError('EISDIR', `refusing to replace a directory with a file: ${request.path}`);
    target = path.join(await root.realDirectory(target, request.path), name);
    shown = path.posix.join(request.path, name);
    if ((await lstatOrNull(target))?.isDirectory())
      throw new FileError('EISDIR', `refusing to replace a directory with a file: ${shown}`);
  }
  refuseReservedName(target, request.path);
  return { target, shown };
}

/** A put's `name` is the source's base name: one path component, never a way to climb. */
function oneComponent(name: string, shown: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new FileError(
      'PATH_ESCAPE',
      `the put's name must be one path component: ${JSON.stringify(name)} (for ${shown})`,
    );
  }
  return name;
}

/** framesh's own partial files are not a client's to write: a put to one would corrupt another upload. */
export function refuseReservedName(target: string, shown: string): void {
  if (isPartialName(path.basename(target))) {
    throw new FileError('RESERVED_NAME', `refusing a framesh partial-file name (.NAME.framesh-part): ${shown}`);
  }
}

/**
 * mkdir -p, but only below an existing ancestor that is itself inside the root, and every missing
 * component made through a descriptor-relative walk (VerifiedDir), never through an unverified parent.
 */
export async function makeParents(root: FileRoot, dir: string, shown: string): Promise<void> {
  let existing = dir;
  while (!(await lstatOrNull(existing))) existing = path.dirname(existing);
  const realExisting = await root.realDirectory(existing, shown);
  const made = await VerifiedDir.open(root, path.join(realExisting, path.relative(existing, dir)), shown, 0o755);
  await made.close();
}

async function lstatOrNull(p: string): Promise<import('node:fs').Stats | null> {
  try {
    return await fs.lstat(p);
  } catch {
    return null;
  }
}
