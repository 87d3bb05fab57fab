import type { Readable, Writable } from 'node:stream';

/** What to run, already resolved to a program and its arguments. */
export interface LaunchSpec {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Pass arguments to Windows' cmd.exe without re-quoting. */
  readonly windowsVerbatimArguments?: boolean;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A started command whose process group leader is `pid`. */
export interface RunningProcess {
  readonly pid: number;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves when the leader has exited (its pipes may still be open). */
  readonly exited: Promise<ExitStatus>;
  /** Signals the whole process group, so children of a shell are reached too. */
  signalGroup(signal: NodeJS.Signals): void;
}

/**
 * Starts commands. The server depends on this interface, not on
 * child_process, so how processes are forked can change without touching
 * channels (see docs/ARCHITECTURE.md, "Spawning").
 * Rejects with a SpawnError whose code says why nothing started.
 */
export interface ProcessLauncher {
  /** Says how it starts commands, for `serve`'s ready output and the audit log. */
  readonly description?: string;
  launch(spec: LaunchSpec): Promise<RunningProcess>;
  /** Releases helper processes, if any. */
  close(): Promise<void>;
}
