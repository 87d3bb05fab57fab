import { FrameshError } from '../../errors.js';

/** Codes of the classic listener (docs/ERRORS.md). None travels on the wire: classic formats have no error frame. */
export type ClassicServerErrorCode =
  | 'CLASSIC_REMOTE_REFUSED'
  | 'CLASSIC_UPLOAD_NAME'
  | 'CLASSIC_UPLOAD_HEADER'
  | 'CLASSIC_UPLOAD_TRUNCATED'
  | 'CLASSIC_UPLOAD_FAILED';

/** A classic-listener failure: a refused start, or an upload that was refused or lost (logged). */
export class ClassicServerError extends FrameshError {
  declare readonly code: ClassicServerErrorCode;

  constructor(code: ClassicServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
