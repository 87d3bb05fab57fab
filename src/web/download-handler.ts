import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ServerResponse } from 'node:http';
import { FrameshError } from '../errors.js';
import type { FileRoot } from '../server/files/file-root.js';
import { openReadSource } from '../server/files/read-source.js';
import { fileErrorFrom } from '../server/files/file-errors.js';

/** How a download ended, for the audit log. */
export interface DownloadRecord {
  readonly path: string;
  readonly bytes: number;
  readonly error: string | null;
}

/**
 * GET /download?path=P: the file at P, resolved and confined by the file root exactly as a `get`
 * channel's path is (PROTOCOL.md §9.2: read-source.ts), streamed with backpressure (pipeline pauses the
 * file while the socket is full), as an attachment so the browser saves it instead of showing it.
 */
export async function serveDownload(root: FileRoot, url: URL, res: ServerResponse): Promise<DownloadRecord> {
  const requested = url.searchParams.get('path') ?? '';
  if (requested === '') {
    plain(res, 400, 'name a file: /download?path=PATH\n');
    return { path: requested, bytes: 0, error: 'PROTOCOL' };
  }
  let opened;
  try {
    opened = await openReadSource(root, requested);
  } catch (err) {
    const code = fileErrorFrom(err, requested).code;
    const status = code === 'ENOENT' ? 404 : code === 'PATH_ESCAPE' || code === 'EACCES' ? 403 : 400;
    plain(res, status, `${fileErrorFrom(err, requested).message}\n`);
    return { path: requested, bytes: 0, error: code };
  }
  const { file } = opened;
  try {
    const { size } = await file.stat();
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(size),
      'Content-Disposition': attachment(path.basename(requested)),
      'Cache-Control': 'no-store',
    });
    const stream = file.createReadStream({ start: 0, end: Math.max(0, size - 1), autoClose: false });
    if (size > 0) await pipeline(stream, res);
    else res.end();
    return { path: requested, bytes: size, error: null };
  } catch (err) {
    res.destroy();
    return { path: requested, bytes: 0, error: err instanceof FrameshError ? err.code : 'FILE_ERROR' };
  } finally {
    await file.close().catch(() => {});
  }
}

/** RFC 6266 Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 8187). */
export function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}
