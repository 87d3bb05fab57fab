import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { ExitStatus, LaunchSpec, ProcessLauncher, RunningProcess } from './launcher.js';
import { toSpawnError } from './spawn-error.js';

const IS_WINDOWS = process.platform === 'win32';

/**
 * Forks each command from this process with child_process.spawn. Every
 * command leads its own process group (detached: setsid on POSIX), so the
 * whole tree can be signalled at once and nothing is orphaned.
 */
export class ChildProcessLauncher implements ProcessLauncher {
  readonly description = 'child_process.spawn in the server';
  launch(spec: LaunchSpec): Promise<RunningProcess> {
    return new Promise((resolve, reject) => {
      let child: ChildProcessWithoutNullStreams;
      try {
        child = spawn(spec.file, spec.args as string[], {
          cwd: spec.cwd,
          env: spec.env,
          stdio: 'pipe',
          detached: !IS_WINDOWS,
          windowsHide: true,
          windowsVerbatimArguments: spec.windowsVerbatimArguments ?? false,
        });
      } catch (err) {
        // Node throws at once (not 'error') for some failures, ENOTDIR for a cwd that is a file among them.
        toSpawnError(err as NodeJS.ErrnoException, spec.file, spec.cwd).then(reject, reject);
        return;
      }
      const exited = new Promise<ExitStatus>((resolveExit) => {
        child.once('exit', (code, signal) => resolveExit({ code, signal }));
      });
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (child.pid === undefined) {
          toSpawnError(err, spec.file, spec.cwd).then(reject, reject);
        }
      });
      child.once('spawn', () => {
        const pid = child.pid as number;
        resolve({
          pid,
          stdin: child.stdin,
          stdout: child.stdout,
          stderr: child.stderr,
          exited,
          signalGroup(signal) {
            try {
              if (IS_WINDOWS) child.kill(signal);
              else process.kill(-pid, signal);
            } catch {
              // ESRCH: the group is already gone, which is what we wanted.
            }
          },
        });
      });
    });
  }

  async close(): Promise<void> {}
}
