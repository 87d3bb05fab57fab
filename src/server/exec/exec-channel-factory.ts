import type { ProcessLauncher } from '../process/launcher.js';

/** Server-wide settings every exec channel shares (the factories are in pty/terminal-channel-factory.ts). */
export interface ExecSettings {
  readonly launcher: ProcessLauncher;
  readonly defaultCwd: string;
  readonly baseEnv: NodeJS.ProcessEnv;
  readonly login: boolean;
  readonly maxTimeoutMs: number;
  readonly killGraceMs: number;
  readonly stdinWindowBytes: number;
}
