/**
 * A spawn helper: a small Node process, started by HelperPoolLauncher, that
 * forks commands so the server's event loop never pays for fork(). libuv
 * 1.46 forks with fork(), whose cost grows with the parent's RSS; this process
 * stays small. Each command's stdio pipes are sent back to the server as
 * handles, so output flows from the command straight to the server.
 * It imports nothing from framesh, to stay small and start fast.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { HelperReply, LaunchRequest } from './helper-messages.js';

type SendReply = (message: HelperReply, handle?: Socket) => void;

const send: SendReply = (message, handle) => {
  // A closed channel means the server is gone; 'disconnect' below ends this process.
  process.send?.(message, handle, undefined, () => {});
};

function launch(request: LaunchRequest): void {
  let child: ChildProcess;
  try {
    child = spawn(request.file, request.args as string[], {
      cwd: request.cwd,
      env: request.env,
      stdio: 'pipe',
      detached: true,
    });
  } catch (err) {
    const error = err as NodeJS.ErrnoException;
    send({ id: request.id, t: 'error', code: error.code, message: error.message });
    return;
  }
  const stdin = child.stdin as Socket;
  const stdout = child.stdout as Socket;
  const stderr = child.stderr as Socket;
  // Node starts reading a child's pipes at once; stop before any byte is
  // taken, so every byte stays in the pipe for the server to read.
  stopReading(stdout);
  stopReading(stderr);
  // On exit, ChildProcess destroys stdin and resumes stdout/stderr to flush
  // them; a pipe still queued for sending would lose its bytes here, so the
  // ChildProcess must forget its pipes. They belong to the server now.
  Object.assign(child, { stdin: null, stdout: null, stderr: null, stdio: null });
  child.once('error', (err: NodeJS.ErrnoException) => {
    if (child.pid === undefined) send({ id: request.id, t: 'error', code: err.code, message: err.message });
  });
  child.once('spawn', () => {
    send({ id: request.id, t: 'stdin', pid: child.pid as number }, stdin);
    send({ id: request.id, t: 'stdout' }, stdout);
    send({ id: request.id, t: 'stderr' }, stderr);
  });
  child.once('exit', (code, signal) => send({ id: request.id, t: 'exit', code, signal }));
}

function stopReading(socket: Socket): void {
  const handle = (socket as unknown as { _handle: { reading: boolean; readStop(): number } | null })._handle;
  if (!handle) return;
  handle.readStop();
  handle.reading = false;
}

process.on('message', (message: LaunchRequest) => launch(message));
// The server is gone: nothing can receive our commands' exit codes any more.
process.on('disconnect', () => process.exit(0));
// A terminal's Ctrl-C, or a service manager's SIGTERM, reaches the server's whole process group, this
// helper included. The helper must outlive it: it reports the exit of the commands it started, and the
// server gives them their shutdown grace. The server stops helpers itself (SIGKILL) or they leave on
// 'disconnect'. Commands do not inherit these handlers: a new program starts with default dispositions.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => {});
