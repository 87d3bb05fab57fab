/**
 * Tools for hostile-client tests against a `framesh serve` child process:
 * its memory and read counters from /proc, a peer that writes raw frames and
 * never reads, and a bounded wait for the server to stop reading.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { after } from 'node:test';
import { connect } from '../../src/index.js';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import { startServeProcess, type ServeProcess } from '../helpers/cli.js';
import { CLIENT_HELLO } from '../helpers/raw-peer.js';

/** Resident and peak resident memory of a process, in bytes (Linux /proc). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Bytes a process has read through read(2)-like calls (sockets and files alike). */
export function bytesReadBy(pid: number): number {
  return Number(/^rchar:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? NaN);
}

/**
 * Resolves once `sample()` stayed the same for `quietMs` (true), or after
 * `maxMs` or once `stop()` says so (false). Used to see that the server
 * stopped reading a peer.
 */
export async function whenSteady(
  sample: () => number,
  quietMs = 600,
  maxMs = 20_000,
  stop: () => boolean = () => false,
): Promise<boolean> {
  const started = performance.now();
  let last = sample();
  let since = performance.now();
  while (performance.now() - started < maxMs && !stop()) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = sample();
    if (now !== last) {
      last = now;
      since = performance.now();
    } else if (performance.now() - since >= quietMs) {
      return true;
    }
  }
  return false;
}

/** A connected peer whose socket is never read: whatever the server sends stays in the kernel. */
export async function silentPeer(port: number, secure = false): Promise<Duplex> {
  const socket: Duplex = secure
    ? tls.connect({ host: '127.0.0.1', port, minVersion: 'TLSv1.3', rejectUnauthorized: false })
    : net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  await once(socket, secure ? 'secureConnect' : 'connect');
  socket.pause();
  socket.write(encodeFrameToBuffer(CLIENT_HELLO));
  return socket;
}

/**
 * Writes `batches` (one buffer again and again, or the next one a function
 * makes) up to `maxBytes`, waiting for 'drain' when the socket is full. Stops
 * early once the server (process `pid`) has stopped reading. Returns the bytes
 * handed to the socket.
 */
export async function pushUntilStalled(
  socket: Duplex,
  batches: Buffer | (() => Buffer),
  maxBytes: number,
  pid: number,
): Promise<number> {
  let pushed = 0;
  while (pushed < maxBytes && !socket.destroyed) {
    const batch = typeof batches === 'function' ? batches() : batches;
    pushed += batch.length;
    if (socket.write(batch)) continue;
    let drained = false;
    let wakeEarly: () => void = () => {};
    const onDrain = (): void => {
      drained = true;
      wakeEarly();
    };
    socket.once('drain', onDrain);
    await Promise.race([
      whenSteady(
        () => bytesReadBy(pid),
        600,
        20_000,
        () => drained,
      ),
      new Promise<void>((resolve) => {
        wakeEarly = resolve;
      }),
    ]);
    socket.off('drain', onDrain);
    if (!drained) break;
  }
  return pushed;
}

/** `count` copies of one frame, as one buffer. */
export function repeatedFrame(header: { type: string; [k: string]: unknown }, count: number): Buffer {
  const one = encodeFrameToBuffer(header);
  const out = Buffer.allocUnsafe(one.length * count);
  for (let i = 0; i < count; i++) one.copy(out, i * one.length);
  return out;
}

const servers: ServeProcess[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGKILL')));
});

/** A `framesh serve` child process with these flags, killed after the test file. */
export async function serve(args: string[]): Promise<ServeProcess> {
  const server = await startServeProcess(args);
  servers.push(server);
  return server;
}

/** Another client is still served: `echo` over a fresh plaintext connection. */
export async function echoWorks(port: number): Promise<void> {
  const client = await connect({ host: '127.0.0.1', port, insecure: true, timeoutMs: 30_000 });
  try {
    const result = await client.run('echo still-served');
    assert.equal(result.stdout, 'still-served\n');
  } finally {
    await client.close();
  }
}
