import { FrameshError, type FileErrorCode } from '../../errors.js';

/** A file operation failed; `code` is one of the §9 codes and the message names the path. */
export class FileError extends FrameshError {
  declare readonly code: FileErrorCode;

  constructor(code: FileErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Maps a filesystem errno to a wire error naming the path. */
export function fileErrorFrom(err: unknown, shownPath: string): FileError {
  if (err instanceof FileError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const why = (err as Error).message;
  switch (code) {
    case 'ENOENT':
      return new FileError('ENOENT', `no such file or directory: ${shownPath}`, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new FileError('EACCES', `permission denied: ${shownPath}`, { cause: err });
    case 'EISDIR':
      return new FileError('EISDIR', `is a directory: ${shownPath}`, { cause: err });
    case 'ENOTDIR':
      return new FileError('ENOTDIR', `not a directory: ${shownPath}`, { cause: err });
    case 'ENOSPC':
    case 'EDQUOT':
      return new FileError('ENOSPC', `no space left on device writing ${shownPath}`, { cause: err });
    case 'ELOOP':
      return new FileError('PATH_ESCAPE', `refusing to follow a symbolic link at ${shownPath}`, { cause: err });
    default:
      return new FileError('FILE_ERROR', `${shownPath}: ${why}`, { cause: err });
  }
}
