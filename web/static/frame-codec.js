// framesh frames in the browser (docs/PROTOCOL.md §1): uint32 big-endian header length, a UTF-8 JSON
// header, then `len` body bytes. Pure: no DOM, no WebSocket, so test/web/frame-codec.test.ts runs it in
// Node against the server's own encoder and decoder.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The bytes of one frame: `header` as JSON (its `len` set from `body`), then the body. */
export function encodeFrame(header, body) {
  const bodyBytes = body && body.length > 0 ? body : null;
  const fields = { ...header };
  if (bodyBytes) fields.len = bodyBytes.length;
  else delete fields.len;
  const headerBytes = encoder.encode(JSON.stringify(fields));
  const out = new Uint8Array(4 + headerBytes.length + (bodyBytes ? bodyBytes.length : 0));
  new DataView(out.buffer).setUint32(0, headerBytes.length);
  out.set(headerBytes, 4);
  if (bodyBytes) out.set(bodyBytes, 4 + headerBytes.length);
  return out;
}

/**
 * Reassembles frames from any chunking of the stream (a WebSocket message may hold part of a frame or
 * several). Limits are checked as soon as a length is read (§3); a bad frame throws, and the caller
 * closes the socket.
 */
export class FrameReader {
  constructor(limits = { maxHeaderBytes: 65536, maxBodyBytes: 1048576 }) {
    this.limits = limits;
    this.buffer = new Uint8Array(0);
  }

  /** Adds a chunk; returns the frames it completed, as `{ header, body }`. */
  push(chunk) {
    const bytes = chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk);
    if (this.buffer.length === 0) this.buffer = bytes;
    else {
      const joined = new Uint8Array(this.buffer.length + bytes.length);
      joined.set(this.buffer);
      joined.set(bytes, this.buffer.length);
      this.buffer = joined;
    }
    const frames = [];
    let at = 0;
    for (;;) {
      if (this.buffer.length - at < 4) break;
      const view = new DataView(this.buffer.buffer, this.buffer.byteOffset + at, 4);
      const headerLength = view.getUint32(0);
      if (headerLength < 1 || headerLength > this.limits.maxHeaderBytes)
        throw new Error(`frame header of ${headerLength} bytes is beyond the limit`);
      if (this.buffer.length - at < 4 + headerLength) break;
      const header = JSON.parse(decoder.decode(this.buffer.subarray(at + 4, at + 4 + headerLength)));
      if (typeof header !== 'object' || header === null || typeof header.type !== 'string')
        throw new Error('frame header is not an object with a "type"');
      const len = header.len ?? 0;
      if (!Number.isInteger(len) || len < 0 || len > this.limits.maxBodyBytes)
        throw new Error(`frame body of ${len} bytes is beyond the limit`);
      const end = at + 4 + headerLength + len;
      if (this.buffer.length < end) break;
      frames.push({ header, body: this.buffer.slice(at + 4 + headerLength, end) });
      at = end;
    }
    this.buffer = at === this.buffer.length ? new Uint8Array(0) : this.buffer.slice(at);
    return frames;
  }
}
