/**
 * IPC messages between the server and its spawn helpers
 * (helper-pool-launcher.ts and spawn-helper.ts). Node IPC with JSON
 * serialization; the three stdio pipes travel as handles attached to the
 * `stdin`, `stdout` and `stderr` messages.
 */

/** Server → helper: start one command. */
export interface LaunchRequest {
  readonly id: number;
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Helper → server, in this order for one id: stdin (with pid), stdout, stderr, then exit; or a single error. */
export type HelperReply =
  | { readonly id: number; readonly t: 'stdin'; readonly pid: number }
  | { readonly id: number; readonly t: 'stdout' }
  | { readonly id: number; readonly t: 'stderr' }
  | { readonly id: number; readonly t: 'exit'; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly id: number; readonly t: 'error'; readonly code: string | undefined; readonly message: string };
