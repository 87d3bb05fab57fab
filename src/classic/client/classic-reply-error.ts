import { FrameshError, type ClassicReplyErrorCode } from '../../errors.js';

export type { ClassicReplyErrorCode };

/**
 * A classic server's reply broke its format (docs/CLASSIC.md): a negative or
 * non-numeric size, a header that is not the expected JSON, a size beyond
 * `--max-reply`, or a connection that closed before the announced bytes came.
 * After any of these the byte stream can no longer be split into replies, so
 * the connection is given up.
 */
export class ClassicReplyError extends FrameshError {
  declare readonly code: ClassicReplyErrorCode;

  constructor(code: ClassicReplyErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Up to `max` bytes shown as a JSON string, so control bytes from a hostile server stay visible and harmless. */
export function previewBytes(bytes: Buffer, max = 32): string {
  const shown = JSON.stringify(bytes.subarray(0, max).toString('latin1'));
  return bytes.length > max ? `${shown}...` : shown;
}
