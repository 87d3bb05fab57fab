import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { LocalFileError } from '../../errors.js';
import { LimitError } from '../../errors.js';
import { encodeInt32, UPLOAD_HEADER_MAX_BYTES } from '../classic-format.js';
import type { ClassicClient } from './classic-client.js';

export interface ClassicUploadResult {
  /** The name sent in the header: the file's base name. */
  readonly name: string;
  readonly bytes: number;
}

/**
 * Sends one file as a classic upload (docs/CLASSIC.md, "Upload"): int32 L,
 * the L-byte JSON header `{"cmd": "put", "filename": NAME, "filesize": S}`,
 * then the S bytes, streamed from disk with backpressure, never whole in
 * memory. A classic server sends no reply, so nothing is read here.
 */
export async function uploadFile(connection: ClassicClient, filePath: string): Promise<ClassicUploadResult> {
  const info = await fs.stat(filePath).catch((err: NodeJS.ErrnoException) => {
    throw new LocalFileError(
      err.code === 'ENOENT' ? 'ENOENT' : 'FILE_ERROR',
      `cannot read ${filePath}: ${err.message}`,
      { cause: err },
    );
  });
  if (!info.isFile())
    throw new LocalFileError(info.isDirectory() ? 'EISDIR' : 'SPECIAL_FILE', `not a regular file: ${filePath}`);
  const name = path.basename(filePath);
  const header = encodeUploadHeader(name, info.size);
  // Prefix and header in one write, so a server that inspects one read sees both (docs/CLASSIC.md: L, then `{`).
  await connection.write(Buffer.concat([encodeInt32(header.length), header]));
  let sent = 0;
  if (info.size > 0) {
    // Exactly the announced size, even if the file grows meanwhile: the server counts on it.
    for await (const chunk of createReadStream(filePath, { end: info.size - 1 }) as AsyncIterable<Buffer>) {
      sent += chunk.length;
      await connection.write(chunk);
    }
  }
  if (sent !== info.size) {
    throw new LocalFileError(
      'FILE_ERROR',
      `${filePath} shrank while it was sent (${sent} of ${info.size} bytes); the server got a short upload`,
    );
  }
  return { name, bytes: sent };
}

/**
 * The upload header as Python's `json.dumps` writes it: non-ASCII characters
 * escaped as \uXXXX, so the header is plain ASCII whatever charset the
 * server decodes it with.
 */
export function encodeUploadHeader(name: string, size: number): Buffer {
  const text = JSON.stringify({ cmd: 'put', filename: name, filesize: size }).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const header = Buffer.from(text, 'ascii');
  if (header.length > UPLOAD_HEADER_MAX_BYTES)
    throw new LimitError(
      `the upload header for "${name}" is ${header.length} bytes, beyond ${UPLOAD_HEADER_MAX_BYTES}`,
    );
  return header;
}
