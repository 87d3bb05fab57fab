import { LENGTH_PREFIX_BYTES } from './constants.js';
import { LimitError } from '../errors.js';
import type { FrameLimits } from './frame.js';

const EMPTY = Buffer.alloc(0);

/**
 * Encodes one frame as two buffers, prefix+header and body, so a transport can
 * write them with cork()/uncork() instead of concatenating the body.
 * `len` is set from the body; a caller-supplied `len` is overwritten.
 */
export function encodeFrame<Header extends { readonly type: string }>(
  header: Header,
  body: Buffer = EMPTY,
  limits?: FrameLimits,
): [Buffer, Buffer] {
  const fields = body.length > 0 ? { ...header, len: body.length } : withoutLen(header);
  const json = Buffer.from(JSON.stringify(fields), 'utf8');
  if (limits && json.length > limits.maxHeaderBytes) {
    throw new LimitError(`header of ${json.length} bytes exceeds the peer's limit of ${limits.maxHeaderBytes}`);
  }
  if (limits && body.length > limits.maxBodyBytes) {
    throw new LimitError(`body of ${body.length} bytes exceeds the peer's limit of ${limits.maxBodyBytes}`);
  }
  const head = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES + json.length);
  head.writeUInt32BE(json.length, 0);
  json.copy(head, LENGTH_PREFIX_BYTES);
  return [head, body];
}

/**
 * The prefix+header of a `data` frame, byte for byte what encodeFrame makes of
 * `{type:'data', ch, stream}` with a body of `len` bytes, without the object
 * spread and JSON.stringify: data frames are the hot path, and every object
 * they allocate is garbage the send path must collect.
 */
export function encodeDataHead(ch: number, stream: string, len: number): Buffer {
  const json = `{"type":"data","ch":${ch},"stream":"${stream}","len":${len}}`;
  const head = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES + json.length);
  head.writeUInt32BE(json.length, 0);
  head.write(json, LENGTH_PREFIX_BYTES, 'latin1');
  return head;
}

/** One contiguous buffer: convenient for tests and fixtures, not for hot paths. */
export function encodeFrameToBuffer<Header extends { readonly type: string }>(header: Header, body?: Buffer): Buffer {
  return Buffer.concat(encodeFrame(header, body));
}

function withoutLen(header: object): object {
  if (!('len' in header)) return header;
  const { len: _ignored, ...rest } = header as Record<string, unknown>;
  return rest;
}
