/**
 * Starts test/classic/peers/classic_server.py (a classic server written from
 * docs/CLASSIC.md) for the `framesh classic` tests, and a scripted hostile
 * classic server in Node. Waits on events, every wait bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/temp-dirs.js';

const SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peers/classic_server.py');

export interface PythonClassicServer {
  readonly port: number;
  readonly target: string;
  /** Where the server stores uploads (a fresh temp dir). */
  readonly uploadDir: string;
  stderr(): string;
  /** Stops this server (by its PID) and removes its upload dir. */
  stop(): Promise<void>;
}

/** Starts the Python classic server with `--port 0` and resolves once it printed its port. */
export function startPythonClassicServer(args: readonly string[]): Promise<PythonClassicServer> {
  const uploadDir = tempDir('framesh-classic-up-');
  const child = spawn('python3', [SERVER, '--port', '0', '--upload-dir', uploadDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errText = '';
  child.stderr.on('data', (c: Buffer) => (errText += c.toString('utf8')));
  const stop = async (): Promise<void> => {
    await stopChild(child);
    rmSync(uploadDir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    let outText = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`classic_server.py did not print its port within 15 s; stderr: ${errText}`));
    }, 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`classic_server.py exited with ${code} before listening; stderr: ${errText}`));
    });
    child.stdout.on('data', (c: Buffer) => {
      outText += c.toString('utf8');
      const match = /^(\d+)\n/.exec(outText);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const port = Number(match[1]);
      resolve({ port, target: `127.0.0.1:${port}`, uploadDir, stderr: () => errText, stop });
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** What the hostile server does when a command arrives: bytes to send, then whether to close. */
export interface HostileScript {
  readonly send: Buffer;
  readonly close?: boolean;
}

export interface HostileServer {
  readonly target: string;
  stop(): Promise<void>;
}

/**
 * A classic server that answers each command with the bytes scripted for
 * that command's text (unknown commands get no answer), to play a broken or
 * malicious peer.
 */
export async function startHostileServer(scripts: Readonly<Record<string, HostileScript>>): Promise<HostileServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      const script = scripts[chunk.toString('utf8')];
      if (!script) return;
      socket.write(script.send);
      if (script.close) socket.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
