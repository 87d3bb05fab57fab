/**
 * A spawn helper: a small Node process, started by HelperPoolLauncher (spawn-helper-process.ts), that
 * forks commands so the server's event loop never pays for fork(). libuv forks with fork(), whose cost
 * grows with the parent's RSS; this process stays small. Used when the posix_spawn addon is not
 * available (docs/ARCHITECTURE.md, "Spawning").
 *
 * For each launch it connects three Unix sockets to the server's StdioRendezvous (path in argv[2]),
 * writes a 5-byte header on each (launch id, stream), and starts the command with those sockets as its
 * fds 0-2: output flows from the command straight to the server, and no handle crosses the IPC channel
 * (Node waits for an acknowledgement after each handle message). IPC carries only the pid, errors and
 * exit statuses. It imports nothing from framesh but types, to stay small and start fast.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { HelperReply, LaunchRequest } from '../helper-messages.js';

const rendezvousPath = process.argv[2] as string;

const send = (message: HelperReply): void => {
  // A closed channel means the server is gone; 'disconnect' below ends this process.
  process.send?.(message, undefined, undefined, () => {});
};

/** Connects one stdio socket and writes its header; resolves once the header is written. */
function connectStream(id: number, stream: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(rendezvousPath);
    socket.once('error', reject);
    socket.once('connect', () => {
      const header = Buffer.alloc(5);
      header.writeUInt32BE(id, 0);
      header[4] = stream;
      // Written before the command exists, so its first output byte always follows the header.
      socket.write(header, (err) => (err ? reject(err) : resolve(socket)));
    });
  });
}

async function launch(request: LaunchRequest): Promise<void> {
  let sockets: net.Socket[];
  try {
    sockets = await Promise.all([0, 1, 2].map((stream) => connectStream(request.id, stream)));
  } catch (err) {
    send({ id: request.id, t: 'error', code: 'SPAWN_HELPER_IO', message: (err as Error).message });
    return;
  }
  let child: ChildProcess;
  try {
    child = spawn(request.file, request.args as string[], {
      cwd: request.cwd,
      env: request.env,
      stdio: sockets,
      detached: true,
    });
  } catch (err) {
    for (const socket of sockets) socket.destroy();
    const error = err as NodeJS.ErrnoException;
    send({ id: request.id, t: 'error', code: error.code, message: error.message });
    return;
  }
  // The command holds its own copies now; ours would keep the server's ends from seeing EOF.
  for (const socket of sockets) socket.destroy();
  child.once('error', (err: NodeJS.ErrnoException) => {
    if (child.pid === undefined) send({ id: request.id, t: 'error', code: err.code, message: err.message });
  });
  child.once('spawn', () => send({ id: request.id, t: 'spawned', pid: child.pid as number }));
  child.once('exit', (code, signal) => send({ id: request.id, t: 'exit', code, signal }));
}

process.on('message', (message: LaunchRequest) => void launch(message));
// The server is gone: nothing can receive our commands' exit codes any more.
process.on('disconnect', () => process.exit(0));
// A terminal's Ctrl-C, or a service manager's SIGTERM, reaches the server's whole process group, this
// helper included. The helper must outlive it: it reports the exit of the commands it started, and the
// server gives them their shutdown grace. The server stops helpers itself (SIGKILL) or they leave on
// 'disconnect'. Commands do not inherit these handlers: a new program starts with default dispositions.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => {});
