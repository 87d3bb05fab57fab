import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { NOFOLLOW, type FileRoot } from '../../server/files/file-root.js';
import { writeAll } from '../../server/files/write-all.js';
import type { ChunkReader } from './chunk-reader.js';
import type { UploadHeader } from './classic-request.js';
import { ClassicServerError } from './classic-errors.js';

/** How an upload ended, for the audit log. */
export interface UploadRecord {
  readonly remote: string;
  /** The filename as the client sent it. */
  readonly name: string;
  /** The base name it was (or would have been) stored as; null when refused. */
  readonly stored: string | null;
  /** Content bytes received. */
  readonly bytes: number;
  readonly outcome: 'stored' | 'refused' | 'failed' | 'truncated';
  readonly error: ClassicServerError | null;
  readonly durationMs: number;
}

/**
 * The base name a classic upload is stored as: the part after the last `/`
 * or `\` (Windows clients send either), or null for a name that cannot be a
 * file in the root (empty, `.`, `..`, or with a NUL byte).
 */
export function uploadBaseName(filename: string): string | null {
  const base = filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1);
  if (base === '' || base === '.' || base === '..' || base.includes('\0')) return null;
  return base;
}

/**
 * Receives one upload's content (docs/CLASSIC.md, "Uploads"): exactly
 * `header.filesize` bytes, starting with `firstBytes`, into a temporary file
 * in the root that is renamed over the base name only once all bytes are
 * there. Bytes past the content are put back on the reader. A refused name
 * or a failed write still reads the content and throws it away, so file
 * bytes are never taken for commands.
 */
export async function receiveUpload(
  reader: ChunkReader,
  root: FileRoot,
  header: UploadHeader,
  firstBytes: Buffer,
  remote: string,
): Promise<UploadRecord> {
  const startedAt = performance.now();
  const base = uploadBaseName(header.filename);
  let error: ClassicServerError | null =
    base === null
      ? new ClassicServerError(
          'CLASSIC_UPLOAD_NAME',
          `refusing upload name ${JSON.stringify(header.filename)}: no usable base name`,
        )
      : null;
  const target = base === null ? null : path.join(root.real, base);
  const temp =
    target === null ? null : path.join(root.real, `.${base}.framesh-classic-${randomBytes(6).toString('hex')}`);
  let file: fs.FileHandle | null = null;
  if (temp !== null) {
    try {
      // O_EXCL + O_NOFOLLOW: a link planted under the temporary name is never written through.
      file = await fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o644);
    } catch (err) {
      error = failed(header.filename, err);
    }
  }
  // Only a temporary file we created is ever removed.
  const ownTemp = file === null ? null : temp;
  let received = 0;
  let pending: Buffer | null = firstBytes;
  while (received < header.filesize) {
    const chunk = pending ?? (await reader.next());
    pending = null;
    if (chunk === null) break;
    const piece = chunk.subarray(0, header.filesize - received);
    reader.unshift(chunk.subarray(piece.length));
    received += piece.length;
    if (file && !error) {
      try {
        await writeAll(file, piece, null);
      } catch (err) {
        error = failed(header.filename, err);
      }
    }
  }
  // A zero-byte upload never took its first bytes: they belong to the next request.
  if (pending) reader.unshift(pending);
  const record = (outcome: UploadRecord['outcome'], finalError: ClassicServerError | null): UploadRecord => ({
    remote,
    name: header.filename,
    stored: base,
    bytes: received,
    outcome,
    error: finalError,
    durationMs: performance.now() - startedAt,
  });
  if (received < header.filesize) {
    await discard(file, ownTemp);
    return record(
      'truncated',
      new ClassicServerError(
        'CLASSIC_UPLOAD_TRUNCATED',
        `client closed after ${received} of ${header.filesize} bytes of ${header.filename}`,
      ),
    );
  }
  if (!error && file && ownTemp && target) {
    try {
      await file.sync();
      await file.close();
      file = null;
      await fs.rename(ownTemp, target);
      return record('stored', null);
    } catch (err) {
      error = failed(header.filename, err);
    }
  }
  await discard(file, ownTemp);
  return record(base === null ? 'refused' : 'failed', error);
}

function failed(name: string, err: unknown): ClassicServerError {
  const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new ClassicServerError('CLASSIC_UPLOAD_FAILED', `could not store upload ${name}: ${why}`, { cause: err });
}

async function discard(file: fs.FileHandle | null, temp: string | null): Promise<void> {
  await file?.close().catch(() => {});
  if (temp) await fs.unlink(temp).catch(() => {});
}
