import { decodeInt32, INT32_BYTES, UPLOAD_HEADER_MAX_BYTES, UPLOAD_HEADER_MIN_BYTES } from '../classic-format.js';

/** A parsed upload header: `{"cmd": "put", "filename": NAME, "filesize": S}`. */
export interface UploadHeader {
  readonly filename: string;
  readonly filesize: number;
}

/** What the bytes at the start of a request are. */
export type RequestKind =
  | { readonly kind: 'command' }
  /**
   * Under 4 bytes that could be the start of an upload's length: wait briefly for more (the length may
   * have been split over reads), then classify again, or take it as a command if nothing comes.
   */
  | { readonly kind: 'short'; readonly needBytes: number }
  /** Starts like an upload; wait until `needBytes` bytes are buffered, then classify again. */
  | { readonly kind: 'more'; readonly needBytes: number }
  /** An upload; `contentStart` is where its file content begins in the buffer. */
  | { readonly kind: 'upload'; readonly header: UploadHeader; readonly contentStart: number }
  /** `"cmd": "put"` but no usable filename or filesize: its content length is unknown. */
  | { readonly kind: 'bad-upload'; readonly reason: string };

const OPEN_BRACE = 0x7b;

/**
 * Classifies a request (docs/CLASSIC.md, "Upload"): an upload only if it
 * starts with int32 L in [2, 65536], byte 4 is `{`, and the L header bytes
 * parse as JSON with `"cmd": "put"`. Pure, so it can be fed any split.
 *
 * Waiting for more bytes never delays a text command: a plausible L has
 * bytes 2 and 3 equal to `00 00` or `01 00`, and text in UTF-8, GBK or any
 * ASCII-compatible charset has no NUL byte. A read under 4 bytes is `short`
 * when it could begin a plausible L (any 1 or 2 bytes; 3 bytes whose third is
 * 00 or 01), since a length split over reads must not run the file as
 * commands (issue 9, defect 15); 3 bytes of text are a command at once.
 */
export function classifyRequest(buffer: Buffer, decodeText: (bytes: Buffer) => string): RequestKind {
  if (buffer.length < INT32_BYTES)
    return couldStartLength(buffer) ? { kind: 'short', needBytes: INT32_BYTES } : { kind: 'command' };
  const headerBytes = decodeInt32(buffer);
  if (headerBytes < UPLOAD_HEADER_MIN_BYTES || headerBytes > UPLOAD_HEADER_MAX_BYTES) return { kind: 'command' };
  if (buffer.length > INT32_BYTES && buffer[INT32_BYTES] !== OPEN_BRACE) return { kind: 'command' };
  const contentStart = INT32_BYTES + headerBytes;
  if (buffer.length < contentStart) return { kind: 'more', needBytes: contentStart };
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeText(buffer.subarray(INT32_BYTES, contentStart)));
  } catch {
    return { kind: 'command' };
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { cmd?: unknown }).cmd !== 'put')
    return { kind: 'command' };
  const { filename, filesize } = parsed as { filename?: unknown; filesize?: unknown };
  if (typeof filename !== 'string') return { kind: 'bad-upload', reason: 'upload header has no string "filename"' };
  if (typeof filesize !== 'number' || !Number.isSafeInteger(filesize) || filesize < 0) {
    return { kind: 'bad-upload', reason: 'upload header has no non-negative integer "filesize"' };
  }
  return { kind: 'upload', header: { filename, filesize }, contentStart };
}

/** Whether 1-3 bytes can be the first bytes of a little-endian int32 in [2, 65536] (byte 3 is 00, byte 2 00 or 01). */
function couldStartLength(bytes: Buffer): boolean {
  if (bytes.length < 3) return true;
  const third = bytes[2] as number;
  return third === 0 || (third === 1 && bytes[0] === 0 && bytes[1] === 0);
}
