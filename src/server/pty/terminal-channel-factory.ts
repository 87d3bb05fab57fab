import type { FramedConnection } from '../../connection/framed-connection.js';
import { LimitError } from '../../errors.js';
import type { ExecOpenMessage, PtyRequest, ShellOpenMessage } from '../../protocol/messages.js';
import { ExecChannel, type ExecChannelContext, type ExecSummary } from '../exec/exec-channel.js';
import type { ExecSettings } from '../exec/exec-channel-factory.js';
import { RefusedChannel } from '../refused-channel.js';
import type { ChannelFactory, ChannelSetup, ServerChannel } from '../server-channel.js';
import { loadPtyModule } from './pty-module.js';
import { TerminalChannel, type TerminalSettings } from './terminal-channel.js';
import { PtyUnavailableError } from './terminal-errors.js';

export { DEFAULT_MAX_TERMINALS } from '../server-defaults.js';

export interface CommandChannelSettings extends ExecSettings {
  readonly terminal: TerminalSettings;
  readonly maxTerminals: number;
  /** The module that makes terminals: "node-pty" (another name only to test a failed load). */
  readonly ptyModule: string;
}

/** Where exec and terminal channels report for logging. */
export interface CommandAudit {
  started(who: ChannelSetup, channel: ExecChannel, pid: number): void;
  ended(who: ChannelSetup, channel: ExecChannel, summary: ExecSummary): void;
}

/** True when this server can make terminals (hello capability "pty"). */
export function terminalsAvailable(settings: Pick<CommandChannelSettings, 'ptyModule'>): boolean {
  return loadPtyModule(settings.ptyModule) !== null;
}

/**
 * The factories for `open` kinds "exec" (PROTOCOL.md §4.1, with `pty` §11.1) and "shell" (§11.1). A shell
 * is an exec of the account's login shell (`$SHELL -l`); either runs on a terminal when `pty` is given,
 * within the per-connection terminal limit.
 */
export function commandChannelFactories(
  settings: CommandChannelSettings,
  audit: CommandAudit,
): { exec: ChannelFactory<'exec'>; shell: ChannelFactory<'shell'> } {
  const terminalsOpen = new WeakMap<FramedConnection, number>();

  const make = (request: ExecOpenMessage, setup: ChannelSetup): ServerChannel => {
    const events = {
      started: (channel: ExecChannel, pid: number) => audit.started(setup, channel, pid),
      ended: (channel: ExecChannel, summary: ExecSummary) => audit.ended(setup, channel, summary),
    };
    // Named fields, not `{ ...settings, ...setup }`: the spread copied every setting per command (~20 µs
    // of a ~600 µs command at 100 clients × `echo hi`, in a CPU profile).
    const base: ExecChannelContext = {
      launcher: settings.launcher,
      defaultCwd: settings.defaultCwd,
      baseEnv: settings.baseEnv,
      login: settings.login,
      maxTimeoutMs: settings.maxTimeoutMs,
      killGraceMs: settings.killGraceMs,
      stdinWindowBytes: settings.stdinWindowBytes,
      conn: setup.conn,
      remote: setup.remote,
      fingerprint: setup.fingerprint,
      identity: setup.identity,
      endpoints: setup.endpoints,
      onEnded: setup.onEnded,
      events,
    };
    const pty = request.pty;
    if (!pty) return new ExecChannel(request, base);
    const module = loadPtyModule(settings.ptyModule);
    if (!module) {
      const error = new PtyUnavailableError(
        'this server cannot make terminals (node-pty is not installed or did not load)',
      );
      return new RefusedChannel(request.ch, setup.conn, error, setup.onEnded);
    }
    const open = terminalsOpen.get(setup.conn) ?? 0;
    if (open >= settings.maxTerminals) {
      const error = new LimitError(`too many terminals on this connection (limit ${settings.maxTerminals})`);
      return new RefusedChannel(request.ch, setup.conn, error, setup.onEnded);
    }
    terminalsOpen.set(setup.conn, open + 1);
    const request_ = request as ExecOpenMessage & { readonly pty: PtyRequest };
    return new TerminalChannel(request_, {
      ...base,
      pty: module,
      terminal: settings.terminal,
      // The channel calls onEnded once, after its final frame; the slot is free from then on.
      onEnded: () => {
        terminalsOpen.set(setup.conn, (terminalsOpen.get(setup.conn) ?? 1) - 1);
        setup.onEnded();
      },
    });
  };

  return {
    exec: (open, setup) => make(open, setup),
    shell: (open, setup) => make(shellAsExec(open, settings.baseEnv), setup),
  };
}

/** `$SHELL -l` as an argv (the account's shell from the server's clean environment, else /bin/sh). */
function shellAsExec(open: ShellOpenMessage, baseEnv: NodeJS.ProcessEnv): ExecOpenMessage {
  const { kind: _kind, ...rest } = open;
  return { ...rest, kind: 'exec', command: [baseEnv.SHELL || '/bin/sh', '-l'], login: false };
}
