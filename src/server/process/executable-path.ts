import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** glibc's execvp default when the environment has no PATH (confstr(_CS_PATH)). */
const DEFAULT_PATH = '/bin:/usr/bin';

export type Resolved = { readonly path: string } | { readonly errno: 'ENOENT' | 'EACCES' };

/**
 * Finds the program to run as execvp would in the child: a name with a slash is used as is (relative to
 * the child's cwd); otherwise each entry of the child's own PATH (not the server's) is tried in order,
 * an empty entry meaning the cwd. Like execvp, a candidate that exists but cannot be executed is
 * skipped, and the lookup fails with EACCES instead of ENOENT when one was seen.
 */
export function resolveExecutable(file: string, env: NodeJS.ProcessEnv, cwd: string): Resolved {
  if (file === '') return { errno: 'ENOENT' };
  if (file.includes('/')) return { path: file };
  let sawDenied = false;
  for (const dir of (env.PATH ?? DEFAULT_PATH).split(':')) {
    const candidate = path.resolve(cwd, dir === '' ? '.' : dir, file);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return { path: candidate };
      sawDenied = true; // a directory: execve says EACCES
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EACCES') sawDenied = true;
    }
  }
  return { errno: sawDenied ? 'EACCES' : 'ENOENT' };
}
