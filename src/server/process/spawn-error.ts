import { promises as fs } from 'node:fs';
import { FrameshError, type SpawnErrorCode } from '../../errors.js';

/** A command could not be started; `code` is an ENOENT_COMMAND/ENOENT_CWD/EACCES/SPAWN_FAILED wire code. */
export class SpawnError extends FrameshError {
  declare readonly code: SpawnErrorCode;

  constructor(code: SpawnErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * Maps a spawn failure to a wire error. Node reports a missing cwd as ENOENT
 * too, so the cwd is checked to tell the two apart.
 */
export async function toSpawnError(err: NodeJS.ErrnoException, file: string, cwd: string): Promise<SpawnError> {
  const cwdProblem = await checkCwd(cwd);
  if (cwdProblem) return cwdProblem;
  if (err.code === 'ENOENT') return new SpawnError('ENOENT_COMMAND', `command not found: ${file}`, { cause: err });
  if (err.code === 'EACCES') return new SpawnError('EACCES', `permission denied: ${file}`, { cause: err });
  return new SpawnError('SPAWN_FAILED', `could not start ${file}: ${err.message}`, { cause: err });
}

/** Returns an error when cwd is missing, not a directory, or not enterable. */
export async function checkCwd(cwd: string): Promise<SpawnError | null> {
  try {
    const stat = await fs.stat(cwd);
    if (!stat.isDirectory()) return new SpawnError('ENOENT_CWD', `working directory is not a directory: ${cwd}`);
    await fs.access(cwd, fs.constants.X_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES')
      return new SpawnError('EACCES', `permission denied entering working directory: ${cwd}`, { cause: err });
    return new SpawnError('ENOENT_CWD', `working directory does not exist: ${cwd}`, { cause: err });
  }
}
