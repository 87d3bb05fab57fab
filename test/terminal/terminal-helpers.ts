import path from 'node:path';
import { CLI_ARGS, CLI_ENTRY, tempHome } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { Tmux } from '../helpers/tmux.js';

/**
 * An empty home for the server's account, so remote login shells do not run this machine's ~/.profile,
 * which may be slow or read the terminal and eat what a test typed ahead.
 */
export function quietHome(): { HOME: string } {
  return { HOME: tempDir('framesh-term-home-') };
}

const ROOT = path.resolve(path.dirname(CLI_ENTRY), '../..');

/** The framesh CLI as typed into the local shell of a tmux window. */
export function cliLine(args: readonly string[]): string {
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return `cd '${ROOT}' && node ${CLI_ARGS.map((a) => `'${a}'`).join(' ')} ${quoted}`;
}

/** A tmux window whose local shell has just started `framesh ARGS` and sees the remote shell answer. */
export async function terminalSession(
  args: readonly string[],
  options: { cols?: number; rows?: number } = {},
): Promise<Tmux> {
  const tmux = await Tmux.start({ ...options, env: { FRAMESH_HOME: tempHome() } });
  await tmux.waitFor(/^\$\s*$/m);
  await tmux.type(cliLine(args));
  await tmux.ready('START', 30_000);
  return tmux;
}

/** After the client has left: the local shell's `$?` and whether the local terminal is sane again. */
export async function localStatusAndTerminal(tmux: Tmux): Promise<{ status: number; sane: boolean }> {
  // The client has left once the local shell's prompt is the last line (typing earlier would feed the client).
  await tmux.waitFor(/\n\$\s*$/);
  await tmux.type(
    `echo "STATUS=$?"; echo "MODES=$(stty -a | tr ' ' '\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ,)"`,
  );
  const screen = await tmux.waitFor(/^MODES=[-a-z,]+\s*$/m);
  const status = Number(/^STATUS=(\d+)\s*$/m.exec(screen)?.[1]);
  const modes = (/^MODES=([-a-z,]+)\s*$/m.exec(screen)?.[1] ?? '').split(',');
  return { status, sane: modes.includes('icanon') && modes.includes('echo') };
}
