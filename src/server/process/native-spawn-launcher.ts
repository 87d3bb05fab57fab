import os from 'node:os';
import type { ExitStatus, LaunchSpec, ProcessLauncher, RunningProcess } from './launcher.js';
import { errnoName } from './errno-name.js';
import { resolveExecutable } from './executable-path.js';
import { LazyStdin } from './lazy-stdin.js';
import type { NativeSpawnAddon } from './native-spawn-addon.js';
import { PipeOutput } from './pipe-output.js';
import { toSpawnError } from './spawn-error.js';

const SIGNAL_NAMES = new Map(
  Object.entries(os.constants.signals).map(([name, value]) => [value, name as NodeJS.Signals]),
);
const ENOEXEC = os.constants.errno.ENOEXEC;

/**
 * Starts commands with posix_spawn through framesh's addon (native/posix-spawn.c; docs/ARCHITECTURE.md,
 * "Spawning"): vfork semantics, so the cost does not grow with the server's size and no helper process
 * is needed. Behaves as ChildProcessLauncher does: own session and process group, default signal
 * dispositions, the same PATH lookup, the same errors, the same kind of
 * streams (Readables over the pipes, read into buffers that leave as data frames in place: pipe-output.ts).
 */
export class NativeSpawnLauncher implements ProcessLauncher {
  readonly description = 'posix_spawn (native addon)';

  constructor(private readonly addon: NativeSpawnAddon) {}

  async launch(spec: LaunchSpec): Promise<RunningProcess> {
    const resolved = resolveExecutable(spec.file, spec.env, spec.cwd);
    if ('errno' in resolved) throw await toSpawnError(errnoError(resolved.errno, spec.file), spec.file, spec.cwd);
    const envp: string[] = [];
    for (const name in spec.env) {
      const value = spec.env[name];
      if (value !== undefined) envp.push(`${name}=${value}`);
    }
    let resolveExit!: (status: ExitStatus) => void;
    const exited = new Promise<ExitStatus>((resolve) => (resolveExit = resolve));
    let stdin: LazyStdin | null = null;
    let outputs: PipeOutput[] = [];
    const onExit = (code: number, signal: number): void => {
      // As ChildProcess does: the command is gone, nothing more can be written to it; and its output
      // streams are resumed (Node's flushStdio), so what is left in the pipes drains to EOF even when
      // the consumer had paused them (a shutdown waits for that EOF).
      stdin?.destroy();
      process.nextTick(() => {
        for (const stream of outputs) if (stream.readable && stream.listenerCount('readable') === 0) stream.resume();
      });
      resolveExit(
        signal === 0 ? { code, signal: null } : { code: null, signal: SIGNAL_NAMES.get(signal) ?? 'SIGKILL' },
      );
    };
    const argv = [spec.file, ...spec.args];
    let started = await this.start(resolved.path, argv, envp, spec.cwd, onExit);
    if ('errno' in started && started.errno === ENOEXEC) {
      // An executable without a #! line: execvp (and so child_process) runs it with the shell.
      started = await this.start('/bin/sh', ['/bin/sh', resolved.path, ...spec.args], envp, spec.cwd, onExit);
    }
    if (!('pid' in started)) {
      throw await toSpawnError(errnoError(errnoName(started.errno), spec.file), spec.file, spec.cwd);
    }
    const { pid, fds } = started;
    stdin = new LazyStdin(fds[0]);
    const stdout = new PipeOutput(fds[1], this.addon);
    const stderr = new PipeOutput(fds[2], this.addon);
    outputs = [stdout, stderr];
    return {
      pid,
      stdin,
      stdout,
      stderr,
      exited,
      signalGroup(signal) {
        try {
          process.kill(-pid, signal);
        } catch {
          // ESRCH: the group is already gone, which is what we wanted.
        }
      },
    };
  }

  private start(
    file: string,
    argv: string[],
    envp: string[],
    cwd: string,
    onExit: (code: number, signal: number) => void,
  ): Promise<Started> {
    return new Promise((resolve) => {
      this.addon.spawn(
        file,
        argv,
        envp,
        cwd,
        (errno, pid, stdinFd, stdoutFd, stderrFd) => {
          resolve(
            errno === 0
              ? { pid: pid as number, fds: [stdinFd as number, stdoutFd as number, stderrFd as number] }
              : { errno },
          );
        },
        onExit,
      );
    });
  }

  async close(): Promise<void> {}
}

type Started = { readonly pid: number; readonly fds: readonly [number, number, number] } | { readonly errno: number };

function errnoError(code: string, file: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`spawn ${file} ${code}`), { code, syscall: 'posix_spawn', path: file });
}
