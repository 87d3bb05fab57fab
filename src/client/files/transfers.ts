import { createHash, type Hash } from 'node:crypto';
import { constants, createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LocalFileError } from '../../errors.js';
import type { ChannelOpener } from '../client-channel.js';
import { localMode } from './peer-names.js';
import type { RemoteMatch, RemoteStat, TransferOptions, TransferResult } from './transfer-types.js';

import { DEFAULT_GET_WINDOW_BYTES, openFile } from './remote-streams.js';

/** What is at a remote path; with `list`, a directory's entries too. */
export async function statRemote(client: ChannelOpener, remotePath: string, list = false): Promise<RemoteStat> {
  const call = openFile(client, 1024, (ch) => ({
    type: 'open',
    ch,
    kind: 'stat',
    path: remotePath,
    list,
    window: 1024,
  }));
  const { done, body } = await call.result;
  const stat = done.stat ?? { type: 'none' as const, size: 0, mode: 0, mtimeMs: 0 };
  return body.length > 0 ? { ...stat, entries: JSON.parse(body.toString('utf8')) } : stat;
}

/**
 * Expands a shell pattern (`*`, `?`, `[...]` per path component) on the server, within its file root
 * (PROTOCOL.md §9.3). Resolves with the matches, sorted; none is an empty array.
 */
export async function globRemote(client: ChannelOpener, pattern: string): Promise<RemoteMatch[]> {
  const call = openFile(client, 1024, (ch) => ({
    type: 'open',
    ch,
    kind: 'stat',
    path: pattern,
    glob: true,
    window: 1024,
  }));
  const { body } = await call.result;
  const matches: unknown = body.length > 0 ? JSON.parse(body.toString('utf8')) : [];
  if (!Array.isArray(matches) || !matches.every((m) => typeof m?.path === 'string')) {
    throw new LocalFileError(
      'FILE_ERROR',
      `the server answered the pattern ${pattern} with something that is not a list of paths`,
    );
  }
  return matches as RemoteMatch[];
}

/** Makes a remote directory and its missing parents (PROTOCOL.md §9.4); an existing one is fine. */
export async function mkdirRemote(client: ChannelOpener, remotePath: string, mode?: number): Promise<RemoteStat> {
  const call = openFile(client, 1024, (ch) => ({
    type: 'open',
    ch,
    kind: 'mkdir',
    path: remotePath,
    ...(mode !== undefined && { mode }),
    window: 1024,
  }));
  const { done } = await call.result;
  return done.stat ?? { type: 'none', size: 0, mode: 0, mtimeMs: 0 };
}

/**
 * Uploads one local file (PROTOCOL.md §9.1). Resumes a partial upload after
 * checking that the server's part is a prefix of this file; the server
 * replaces the target only once the SHA-256 of the whole file matches.
 */
export async function putFile(
  client: ChannelOpener,
  localPath: string,
  remotePath: string,
  options: TransferOptions = {},
): Promise<TransferResult> {
  const stat = await fs.stat(localPath).catch((err: NodeJS.ErrnoException) => {
    throw new LocalFileError(
      err.code === 'ENOENT' ? 'ENOENT' : 'FILE_ERROR',
      `cannot read ${localPath}: ${err.message}`,
      { cause: err },
    );
  });
  if (!stat.isFile())
    throw new LocalFileError(
      stat.isDirectory() ? 'EISDIR' : 'SPECIAL_FILE',
      `not a regular file (use -r for directories): ${localPath}`,
    );
  const call = openFile(client, 1024, (ch) => ({
    type: 'open',
    ch,
    kind: 'put',
    path: remotePath,
    name: path.basename(localPath),
    size: stat.size,
    mode: stat.mode & 0o7777,
    ...(options.preserve && { mtimeMs: Math.round(stat.mtimeMs) }),
    resume: options.resume !== false,
    ...(options.mkdirs && { mkdirs: true }),
    window: 1024,
  }));
  const opened = await call.opened;
  let hash = createHash('sha256');
  let offset = 0;
  if (opened.offset && opened.prefixSha256 && opened.offset <= stat.size) {
    const prefix = await hashRange(localPath, 0, opened.offset);
    if (prefix.copy().digest('hex') === opened.prefixSha256) {
      hash = prefix;
      offset = opened.offset;
    }
  }
  call.seek(offset, () => hash.digest('hex'));
  const progress = progressCounter(remotePath, stat.size, offset, options, (chunk) => hash.update(chunk));
  const sent = pipeline(
    createReadStream(localPath, { start: offset, highWaterMark: 256 * 1024 }),
    progress,
    call.input,
  );
  const [{ done }] = await Promise.all([
    call.result,
    sent.catch((err) => {
      call.cancel();
      throw err;
    }),
  ]);
  // The server says where the file went (into a directory under its own name, say); older servers do not.
  return {
    path: done.path ?? remotePath,
    size: done.size ?? stat.size,
    sha256: done.sha256 ?? '',
    resumedFrom: offset,
  };
}

/**
 * Downloads one remote file to `localPath` (a file name, or an existing
 * directory to put it in). Bytes go to `.NAME.framesh-part` beside the target,
 * which a later get resumes from; the target is replaced only after the SHA-256
 * matches the server's.
 */
export async function getFile(
  client: ChannelOpener,
  remotePath: string,
  localPath: string,
  options: TransferOptions = {},
): Promise<TransferResult> {
  const intoDirectory = await isDirectory(localPath);
  // A trailing slash means "a directory", as in scp: it must exist; the file is never stored as `newdir`.
  if (!intoDirectory && /[\\/]$/.test(localPath)) {
    throw new LocalFileError(
      'ENOENT',
      `no such directory: ${localPath} (a trailing / names a directory; create it first)`,
    );
  }
  const target = intoDirectory ? path.join(localPath, path.posix.basename(remotePath)) : localPath;
  if (await isDirectory(target))
    throw new LocalFileError('EISDIR', `refusing to replace a directory with a file: ${target}`);
  if (!(await isDirectory(path.dirname(target)))) {
    throw new LocalFileError('ENOENT', `no such directory: ${path.dirname(target)} (for ${target})`);
  }
  const partial = path.join(path.dirname(target), `.${path.basename(target)}.framesh-part`);
  let offset = 0;
  let hash = createHash('sha256');
  if (options.resume !== false) {
    const existing = await fs.lstat(partial).catch(() => null);
    if (existing?.isFile() && existing.size > 0) {
      hash = await hashRange(partial, 0, existing.size);
      offset = existing.size;
    }
  }
  const windowBytes = options.windowBytes ?? DEFAULT_GET_WINDOW_BYTES;
  const prefixSha256 = offset > 0 ? hash.copy().digest('hex') : undefined;
  const call = openFile(client, windowBytes, (ch) => ({
    type: 'open',
    ch,
    kind: 'get',
    path: remotePath,
    ...(prefixSha256 && { offset, prefixSha256 }),
    window: windowBytes,
  }));
  const opened = await call.opened;
  if ((opened.offset ?? 0) !== offset) {
    offset = 0;
    hash = createHash('sha256');
  }
  const size = opened.size ?? 0;
  const out = createWriteStream(partial, { flags: offset > 0 ? 'r+' : 'w', start: offset, mode: 0o600 });
  const progress = progressCounter(target, size, offset, options, (chunk) => hash.update(chunk));
  try {
    await pipeline(call.output, progress, out);
  } catch (err) {
    call.cancel();
    throw new LocalFileError('FILE_ERROR', `writing ${partial}: ${(err as Error).message}`, { cause: err });
  }
  const { done } = await call.result;
  const sha256 = hash.digest('hex');
  if (done.sha256 !== sha256) {
    await fs.rm(partial, { force: true });
    throw new LocalFileError(
      'CHECKSUM_MISMATCH',
      `${remotePath}: SHA-256 of the received bytes does not match the server's; ${target} was not replaced`,
    );
  }
  const file = await fs.open(partial, constants.O_RDWR);
  try {
    // Never setuid/setgid/sticky from the server; less the umask unless preserving (as scp).
    await file.chmod(localMode(opened.mode ?? 0o644, options.preserve ?? false));
    if (options.preserve && opened.mtimeMs !== undefined) await file.utimes(new Date(), new Date(opened.mtimeMs));
    await file.sync();
  } finally {
    await file.close();
  }
  await fs.rename(partial, target);
  return { path: target, size, sha256, resumedFrom: offset };
}

function progressCounter(
  shownPath: string,
  total: number,
  start: number,
  options: TransferOptions,
  onChunk: (chunk: Buffer) => void,
): Transform {
  let bytes = start;
  options.onProgress?.({ path: shownPath, bytes, total, resumedFrom: start });
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onChunk(chunk);
      bytes += chunk.length;
      options.onProgress?.({ path: shownPath, bytes, total, resumedFrom: start });
      callback(null, chunk);
    },
  });
}

async function hashRange(file: string, start: number, length: number): Promise<Hash> {
  const hash = createHash('sha256');
  if (length === 0) return hash;
  for await (const chunk of createReadStream(file, { start, end: start + length - 1 })) hash.update(chunk as Buffer);
  return hash;
}

async function isDirectory(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => null))?.isDirectory() ?? false;
}
