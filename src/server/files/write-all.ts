import type { promises as fs } from 'node:fs';

/**
 * Writes every byte of `body` at `at` (null: at the file's current position). write(2) may store fewer
 * bytes than asked — a filling disk does that just before it answers ENOSPC — so the rest is written
 * again, and that call reports the error. Taking one call's count as the whole lost data silently: the
 * soak's full disk ended a put in SIZE_MISMATCH instead of ENOSPC.
 */
export async function writeAll(file: fs.FileHandle, body: Uint8Array, at: number | null): Promise<void> {
  for (let done = 0; done < body.length;) {
    const { bytesWritten } = await file.write(body, done, body.length - done, at === null ? null : at + done);
    // write(2) answers 0 for a regular file only when nothing more fits.
    if (bytesWritten === 0) throw Object.assign(new Error('write stored no bytes'), { code: 'ENOSPC' });
    done += bytesWritten;
  }
}
