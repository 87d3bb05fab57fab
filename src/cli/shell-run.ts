import type { FrameshClient } from '../client/client.js';
import { connectOrExplain, defaultPortOf } from './connect-from-flags.js';
import type { ConnectionFlags } from './connection-options.js';
import { describeError, EXIT_CLIENT_FAILURE, exitStatusOf } from './exit-status.js';
import { parseEnv } from './exec-run.js';
import { runLineShell } from './line-shell.js';
import { localLocale } from './local-locale.js';
import { parseTarget } from './target.js';
import { localTerminalSize, runTerminalSession } from './terminal-session.js';

export interface ShellFlags extends ConnectionFlags {
  encoding?: string;
  login?: boolean;
  line?: boolean;
  /** -t: true, -T: false, neither: undefined. */
  tty?: boolean;
  escape: number | null;
  cwd?: string;
  env: string[];
}

type Mode = 'terminal' | 'pipes' | 'line';

function chooseMode(flags: ShellFlags): Mode {
  if (flags.line) return 'line';
  if (flags.tty === true) return 'terminal';
  if (flags.tty === false) return 'pipes';
  return process.stdin.isTTY ? 'terminal' : 'line';
}

/** `framesh shell`'s work, once its arguments are parsed: connect, pick the mode, run; the exit status. */
export async function runShell(targetText: string, flags: ShellFlags): Promise<number> {
  const target = parseTarget(targetText, defaultPortOf(flags));
  const client = await connectOrExplain(target, flags);
  if (!client) return EXIT_CLIENT_FAILURE;
  const mode = chooseMode(flags);
  if (mode === 'line') {
    return runLineShell(client, { prompt: `${target.host}>> `, encoding: flags.encoding, login: flags.login ?? false });
  }
  const common = {
    ...(flags.cwd !== undefined && { cwd: flags.cwd }),
    ...(flags.env.length > 0 && { env: parseEnv(flags.env) }),
    locale: localLocale(),
  };
  if (mode === 'pipes') return runPipedShell(client, common);
  if (!client.server.capabilities.includes('pty')) {
    process.stderr.write('framesh: this server cannot make terminals (PTY_UNAVAILABLE); try --line or -T\n');
    await client.close();
    return EXIT_CLIENT_FAILURE;
  }
  const call = client.shell({ ...common, pty: localTerminalSize() });
  return runTerminalSession(client, call, { escape: flags.escape, hostLabel: target.host });
}

/** `shell -T`: the remote login shell over pipes, stdin forwarded and closed at EOF. */
async function runPipedShell(
  client: FrameshClient,
  options: { cwd?: string; env?: Record<string, string>; locale: Record<string, string> },
): Promise<number> {
  const call = client.shell(options);
  call.stdout.pipe(process.stdout);
  call.stderr.pipe(process.stderr);
  process.stdin.pipe(call.stdin);
  try {
    return exitStatusOf(await call.exit);
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    return EXIT_CLIENT_FAILURE;
  } finally {
    process.stdin.unpipe(call.stdin);
    process.stdin.destroy();
    await client.close();
  }
}
