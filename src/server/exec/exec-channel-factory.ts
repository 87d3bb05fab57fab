import type { ChannelFactory } from '../server-channel.js';
import type { ProcessLauncher } from '../process/launcher.js';
import { ExecChannel, type ExecSummary } from './exec-channel.js';

/** Server-wide settings every exec channel shares. */
export interface ExecSettings {
  readonly launcher: ProcessLauncher;
  readonly defaultCwd: string;
  readonly baseEnv: NodeJS.ProcessEnv;
  readonly login: boolean;
  readonly maxTimeoutMs: number;
  readonly killGraceMs: number;
  readonly stdinWindowBytes: number;
}

/** Where exec channels report for logging. */
export interface ExecAudit {
  started(remote: string, channel: ExecChannel, pid: number): void;
  ended(remote: string, channel: ExecChannel, summary: ExecSummary): void;
}

/** The factory for `open` frames of kind "exec" (PROTOCOL.md §4.1). */
export function execChannelFactory(settings: ExecSettings, audit: ExecAudit): ChannelFactory<'exec'> {
  return (open, setup) =>
    new ExecChannel(open, {
      ...settings,
      ...setup,
      events: {
        started: (channel, pid) => audit.started(setup.remote, channel, pid),
        ended: (channel, summary) => audit.ended(setup.remote, channel, summary),
      },
    });
}
