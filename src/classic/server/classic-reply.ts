import iconv from 'iconv-lite';
import { encodeInt32, encodeJsonReplyHeader, type ClassicFormat } from '../classic-format.js';
import type { ClassicCommandResult } from './classic-command-runner.js';

/**
 * What goes before a reply's N bytes in each format (docs/CLASSIC.md, "The
 * formats"): json is int32 L + the L-byte JSON header, length is int32 N, ack
 * is N in decimal digits (the body then waits for `recv_ready`), raw is
 * nothing at all.
 */
export function replyHeader(format: ClassicFormat, size: number): Buffer | null {
  switch (format) {
    case 'json': {
      const header = encodeJsonReplyHeader(size);
      return Buffer.concat([encodeInt32(header.length), header]);
    }
    case 'length':
      return encodeInt32(size);
    case 'ack':
      return Buffer.from(String(size), 'ascii');
    case 'raw':
      return null;
  }
}

/**
 * A command's reply body: stdout, then stderr, then the server's note on a
 * line of its own. With an output encoding, each part is read as UTF-8 and
 * transcoded (streams separately, so no character is split between them);
 * the size in the header is then the transcoded size.
 */
export function replyBody(result: ClassicCommandResult, outputEncoding: string | null): Buffer {
  const parts = [result.stdout, result.stderr];
  if (result.note !== null) {
    const last = result.stderr.length > 0 ? result.stderr : result.stdout;
    const needsNewline = last.length > 0 && last[last.length - 1] !== 0x0a;
    parts.push(Buffer.from(`${needsNewline ? '\n' : ''}${result.note}\n`, 'utf8'));
  }
  const encoded =
    outputEncoding === null ? parts : parts.map((part) => iconv.encode(iconv.decode(part, 'utf8'), outputEncoding));
  return Buffer.concat(encoded);
}
