/**
 * IPC messages between the server and its spawn helpers (spawn-helper-process.ts and
 * bin/spawn-helper.ts). Node IPC with JSON serialization and no handles: the three stdio streams reach
 * the server through its StdioRendezvous (stdio-rendezvous.ts) instead.
 */

/** Server → helper: start one command; `id` also names its stdio connections. */
export interface LaunchRequest {
  readonly id: number;
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Helper → server, for one id: spawned (with pid) then exit; or a single error. */
export type HelperReply =
  | { readonly id: number; readonly t: 'spawned'; readonly pid: number }
  | { readonly id: number; readonly t: 'exit'; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly id: number; readonly t: 'error'; readonly code: string | undefined; readonly message: string };
