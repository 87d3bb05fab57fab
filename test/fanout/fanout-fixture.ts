/**
 * What the fan-out CLI tests share: 50 real servers on loopback (port 0), each with a working directory
 * of its own so a host's output says which host it came from, and a count of connections open at once
 * across all of them (for --parallel).
 */
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

export interface FanoutHosts {
  readonly servers: TestServer[];
  readonly dirs: string[];
  /** `127.0.0.1:PORT,...` of servers[from..to). */
  list(from: number, to: number): string;
  /** Most connections open at once since the last reset. */
  maxOpen(): number;
  resetMaxOpen(): void;
}

export async function startFanoutHosts(count: number): Promise<FanoutHosts> {
  const dirs = Array.from({ length: count }, (_, i) => {
    const dir = path.join(tempDir('framesh-fanout-'), `host${i}`);
    mkdirSync(dir);
    return dir;
  });
  // The directory is also the file root, so put and get -H land in (and read from) each host's own.
  const servers = await Promise.all(dirs.map((cwd) => startTestServer({ cwd, root: cwd })));
  let open = 0;
  let maxOpen = 0;
  for (const s of servers) {
    s.server.on('connection', () => {
      open += 1;
      maxOpen = Math.max(maxOpen, open);
    });
    s.server.on('disconnect', () => (open -= 1));
  }
  return {
    servers,
    dirs,
    list: (from, to) =>
      servers
        .slice(from, to)
        .map((s) => `127.0.0.1:${s.port}`)
        .join(','),
    maxOpen: () => maxOpen,
    resetMaxOpen: () => {
      maxOpen = 0;
    },
  };
}

export interface JsonLine {
  host: string;
  stream?: string;
  data?: string;
  exit?: number | null;
  error?: string;
  durationMs?: number;
}

export const jsonLines = (stdout: string): JsonLine[] =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as JsonLine);

/** A TCP server that accepts and then says nothing: a host that hangs. */
export async function silentServer(): Promise<number> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(() => {
    sockets.forEach((s) => s.destroy());
    server.close();
  });
  return (server.address() as net.AddressInfo).port;
}

export /** A TCP proxy that holds every chunk for `delayMs` in each direction: a far-away host. */
async function delayingProxy(targetPort: number, delayMs: number): Promise<number> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((inbound) => {
    const outbound = net.connect({ host: '127.0.0.1', port: targetPort });
    sockets.push(inbound, outbound);
    for (const [from, to] of [
      [inbound, outbound],
      [outbound, inbound],
    ] as const) {
      from.on('data', (c) => setTimeout(() => to.write(c), delayMs));
      from.on('error', () => {});
      from.on('close', () => setTimeout(() => to.destroy(), delayMs));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(() => {
    sockets.forEach((s) => s.destroy());
    server.close();
  });
  return (server.address() as net.AddressInfo).port;
}

export /** A TCP proxy that forwards `upBytes` client→server, then holds the rest until `release()`. */
async function gateProxy(targetPort: number, upBytes: number): Promise<{ port: number; release(): void }> {
  const sockets: net.Socket[] = [];
  const held: Array<() => void> = [];
  let open = false;
  const server = net.createServer((inbound) => {
    const outbound = net.connect({ host: '127.0.0.1', port: targetPort });
    sockets.push(inbound, outbound);
    let left = upBytes;
    inbound.on('data', (chunk: Buffer) => {
      if (open) return void outbound.write(chunk);
      outbound.write(chunk.subarray(0, Math.max(0, left)));
      const rest = chunk.subarray(Math.max(0, left));
      left -= chunk.length;
      if (rest.length === 0) return;
      inbound.pause();
      held.push(() => {
        outbound.write(rest);
        inbound.resume();
      });
    });
    outbound.on('data', (chunk: Buffer) => inbound.write(chunk));
    for (const s of [inbound, outbound]) s.on('error', () => {});
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(() => {
    sockets.forEach((s) => s.destroy());
    server.close();
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    release() {
      open = true;
      held.splice(0).forEach((go) => go());
    },
  };
}
