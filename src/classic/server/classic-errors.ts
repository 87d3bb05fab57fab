import { FrameshError, type ClassicServerErrorCode } from '../../errors.js';

export type { ClassicServerErrorCode };

/** A classic-listener failure: a refused start, or an upload that was refused or lost (logged). */
export class ClassicServerError extends FrameshError {
  declare readonly code: ClassicServerErrorCode;

  constructor(code: ClassicServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
