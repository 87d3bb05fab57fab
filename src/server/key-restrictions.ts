import { FrameshError } from '../errors.js';
import type { OpenMessage } from '../protocol/messages.js';
import type { KeyOptions } from '../security/key-options.js';

/**
 * `command="internal-sftp"` as in OpenSSH: the key may move files (framesh's file channels play the part
 * of the SFTP subsystem) and run nothing.
 */
export const FILES_ONLY_COMMAND = 'internal-sftp';
/** Channel kinds that only move files (PROTOCOL.md §9). */
const FILE_KINDS = new Set(['put', 'get', 'stat', 'mkdir']);
/** Kinds that run a program: a forced command replaces what they would run. */
const RUN_KINDS = new Set(['exec', 'shell']);

/** A channel the key's authorized_keys options do not allow (a channel error; the connection goes on). */
export class RestrictedError extends FrameshError {
  declare readonly code: 'RESTRICTED';

  constructor(message: string) {
    super('RESTRICTED', message);
  }
}

/**
 * Applies a key's options to one `open` (docs/SECURITY.md, "authorized_keys options"): returns the open to
 * run, or throws RestrictedError. With a forced command every program-running channel runs exactly that
 * command through the server's shell, with the client's text in FRAMESH_ORIGINAL_COMMAND and none of the
 * client's environment, working directory or login choice (each could change what the command does:
 * BASH_ENV, LD_PRELOAD, a relative path). A kind this function does not know is refused for a restricted
 * key, so a channel kind added later cannot become a way around the restriction.
 */
export function restrictOpen(open: OpenMessage, options: KeyOptions): OpenMessage {
  const fields = open as OpenMessage & { pty?: unknown };
  if (!options.pty && fields.pty !== undefined)
    throw new RestrictedError('this key may not open terminals (no-pty or restrict in authorized_keys)');
  const forced = options.forcedCommand;
  if (forced === null) return open;
  if (forced === FILES_ONLY_COMMAND) {
    if (FILE_KINDS.has(open.kind)) return open;
    throw new RestrictedError(`this key may only transfer files (command="${FILES_ONLY_COMMAND}" in authorized_keys)`);
  }
  if (!RUN_KINDS.has(open.kind)) {
    throw new RestrictedError(
      `this key runs only its forced command; "${open.kind}" channels are refused (command= in authorized_keys)`,
    );
  }
  const original = open.kind === 'exec' ? commandText(open.command) : '';
  const {
    cwd: _cwd,
    env: _env,
    login: _login,
    ...kept
  } = open as OpenMessage & { cwd?: string; env?: object; login?: boolean; command?: unknown };
  return { ...kept, kind: 'exec', command: forced, env: { FRAMESH_ORIGINAL_COMMAND: original } } as OpenMessage;
}

/** What the client asked to run, as one string (an argv is shell-quoted, as a user would type it). */
function commandText(command: string | readonly string[]): string {
  if (typeof command === 'string') return command;
  return command
    .map((arg) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`))
    .join(' ');
}
