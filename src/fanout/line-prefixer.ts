/**
 * Turns one host's output chunks into whole lines prefixed with its name, so lines of different hosts
 * never mix mid-line: `[web1] text` for stdout, `[web1]! text` for stderr. Bytes are kept as they are
 * (no decoding); a last line without a newline is completed at the end, as pssh -i does.
 */
const NEWLINE = 0x0a;
/** A line longer than this is cut into pieces of this size, each prefixed: memory stays bounded. */
const MAX_LINE_BYTES = 64 * 1024;

export class LinePrefixer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly prefix: Buffer;

  constructor(host: string, stream: 'stdout' | 'stderr') {
    this.prefix = Buffer.from(stream === 'stdout' ? `[${host}] ` : `[${host}]! `);
  }

  /** The whole lines completed by `chunk`, each with its prefix; the rest waits. */
  push(chunk: Buffer): Buffer {
    const out: Buffer[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      out.push(this.prefix, ...this.pending, chunk.subarray(start, nl + 1));
      this.pending = [];
      this.pendingBytes = 0;
      start = nl + 1;
    }
    let rest = chunk.subarray(start);
    while (this.pendingBytes + rest.length >= MAX_LINE_BYTES) {
      const take = MAX_LINE_BYTES - this.pendingBytes;
      out.push(this.prefix, ...this.pending, rest.subarray(0, take), Buffer.from('\n'));
      this.pending = [];
      this.pendingBytes = 0;
      rest = rest.subarray(take);
    }
    if (rest.length > 0) {
      this.pending.push(Buffer.from(rest));
      this.pendingBytes += rest.length;
    }
    return Buffer.concat(out);
  }

  /** The unfinished last line, completed with a newline (empty when there is none). */
  end(): Buffer {
    if (this.pendingBytes === 0) return Buffer.alloc(0);
    const out = Buffer.concat([this.prefix, ...this.pending, Buffer.from('\n')]);
    this.pending = [];
    this.pendingBytes = 0;
    return out;
  }
}
