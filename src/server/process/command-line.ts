import os from 'node:os';
import type { LaunchSpec } from './launcher.js';

export interface CommandRequest {
  readonly command: string | readonly string[];
  readonly login: boolean;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Turns a command request into a program and arguments:
 * - a string runs through `/bin/sh -c` (`cmd.exe /d /s /c` on Windows);
 * - an argv array runs as is, with no shell;
 * - `login` runs either through the account's login shell (`$SHELL -lc`), so
 *   PATH and the environment match an interactive login.
 */
export function buildLaunchSpec(request: CommandRequest, platform: NodeJS.Platform = process.platform): LaunchSpec {
  const { command, cwd, env } = request;
  if (request.login && platform !== 'win32') {
    const shell = loginShell(env);
    // An argv under a login shell keeps its word boundaries: `exec "$@"` runs it verbatim.
    const args = typeof command === 'string' ? ['-lc', command] : ['-lc', 'exec "$@"', 'framesh', ...command];
    return { file: shell, args, cwd, env };
  }
  if (typeof command !== 'string') {
    return { file: command[0] as string, args: command.slice(1), cwd, env };
  }
  if (platform === 'win32') {
    const comspec = env.ComSpec ?? env.COMSPEC ?? 'cmd.exe';
    return { file: comspec, args: ['/d', '/s', '/c', `"${command}"`], cwd, env, windowsVerbatimArguments: true };
  }
  return { file: '/bin/sh', args: ['-c', command], cwd, env };
}

function loginShell(env: NodeJS.ProcessEnv): string {
  if (env.SHELL) return env.SHELL;
  try {
    return os.userInfo().shell ?? '/bin/sh';
  } catch {
    return '/bin/sh';
  }
}
