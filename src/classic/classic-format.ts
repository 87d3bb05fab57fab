/**
 * Wire constants of the classic socket remote-exec formats (docs/CLASSIC.md),
 * shared by the classic listener (server side) and `framesh classic` (client
 * side). Pure: no node:net here.
 */

/** Reply formats, as named by `--classic-format` and `framesh classic --format`. */
export const CLASSIC_FORMATS = ['json', 'length', 'ack', 'raw'] as const;
export type ClassicFormat = (typeof CLASSIC_FORMATS)[number];

export function isClassicFormat(name: string): name is ClassicFormat {
  return (CLASSIC_FORMATS as readonly string[]).includes(name);
}

/** Python's `struct.pack('i', n)` on x86 and ARM: 4 bytes, little-endian, signed. */
export const INT32_BYTES = 4;

/** What an `ack`-format client sends once it has read the decimal size. */
export const ACK_READY = 'recv_ready';

/** An upload header's length prefix must lie in this range (docs/CLASSIC.md, "Upload"). */
export const UPLOAD_HEADER_MIN_BYTES = 2;
export const UPLOAD_HEADER_MAX_BYTES = 65_536;

/** Default cap on one command's collected output (`--classic-max-output`). */
export const DEFAULT_CLASSIC_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
/** Default cap on one reply's body (`--max-reply`): far above real command output, far below memory trouble. */
export const DEFAULT_MAX_REPLY_BYTES = 1024 * 1024 * 1024;

/** `struct.pack('i', n)`. */
export function encodeInt32(n: number): Buffer {
  const bytes = Buffer.allocUnsafe(INT32_BYTES);
  bytes.writeInt32LE(n, 0);
  return bytes;
}

/** `struct.unpack('i', bytes)[0]` of the first four bytes. */
export function decodeInt32(bytes: Buffer, offset = 0): number {
  return bytes.readInt32LE(offset);
}

/**
 * The `json` format's header for an N-byte reply, byte for byte what Python's
 * `json.dumps({'total_size': n, 'data_size': n}).encode()` gives, so clients
 * that compare bytes agree.
 */
export function encodeJsonReplyHeader(size: number): Buffer {
  return Buffer.from(`{"total_size": ${size}, "data_size": ${size}}`, 'utf8');
}

/** The classic listener binds loopback unless told otherwise: the classic formats have no authentication. */
export const DEFAULT_CLASSIC_HOST = '127.0.0.1';
