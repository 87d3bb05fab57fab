/**
 * Slow readers on every channel kind: clients that grant the largest window, ask for output, answers or
 * file contents, and never read their socket. The server must stop producing for them (socket
 * backpressure), so its peak memory stays under 150 MB, and a well-behaved client is still served
 * while they sit there.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { connect } from '../src/index.js';
import { DEFAULT_LIMITS, MAX_WINDOW_BYTES } from '../src/protocol/constants.js';
import { encodeFrameToBuffer } from '../src/protocol/frame-encoder.js';
import { currentRss, figure, MiB, peakRss, randomFile, scratch, serve } from './lib.js';

const LIMIT = 150 * MiB;
const HOLD_MS = 10_000;

type Flood = (ch: number) => Buffer[];
const frame = (h: Record<string, unknown>, body?: Buffer): Buffer => encodeFrameToBuffer(h as { type: string }, body);

/** What each kind of slow reader sends: frames that make the server answer, many times over. */
const KINDS: Record<string, { connections: number; channels: number; flood: Flood }> = {
  exec: {
    connections: 4,
    channels: 16,
    flood: (ch) => [
      frame({ type: 'open', ch, kind: 'exec', command: ['yes', 'x'.repeat(200)], window: MAX_WINDOW_BYTES }),
      frame({ type: 'eof', ch, stream: 'stdin' }),
    ],
  },
  get: {
    connections: 4,
    channels: 16,
    flood: (ch) => [frame({ type: 'open', ch, kind: 'get', path: 'big', window: MAX_WINDOW_BYTES })],
  },
  stat: {
    connections: 4,
    channels: 20_000,
    flood: (ch) => [frame({ type: 'open', ch, kind: 'stat', path: 'big', window: MAX_WINDOW_BYTES })],
  },
  ping: { connections: 4, channels: 200_000, flood: (ch) => [frame({ type: 'ping', id: ch })] },
  put: {
    connections: 4,
    channels: 16,
    flood: (ch) => [
      frame({ type: 'open', ch, kind: 'put', path: `up-${ch}`, size: 64 * MiB, window: MAX_WINDOW_BYTES }),
      frame({ type: 'data', ch, stream: 'file', len: 65536 }, Buffer.alloc(65536)),
    ],
  },
};

/** A client that writes its flood (as far as the server takes it) and never reads a byte. */
function slowReader(port: number, flood: Flood, channels: number): net.Socket {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  socket.once('connect', () => {
    socket.pause(); // never read: the server's replies pile up in the kernel, then in the server
    const hello = frame({
      type: 'hello',
      version: '1.0',
      agent: 'slow-reader',
      capabilities: ['exec', 'files'],
      limits: DEFAULT_LIMITS,
    });
    let ch = 1;
    const writeMore = (): void => {
      while (ch <= channels) {
        const ok = socket.write(Buffer.concat(flood(ch)));
        ch += 1;
        if (!ok) {
          // The server stopped reading us: good. Try again only if it drains, which it need not.
          socket.once('drain', writeMore);
          return;
        }
      }
    };
    socket.write(hello);
    writeMore();
  });
  return socket;
}

describe('slow readers', () => {
  it(`on every channel kind keep the server under ${LIMIT / MiB} MB`, { timeout: 300_000 }, async () => {
    const base = scratch('slow');
    const home = path.join(base, 'home');
    const root = path.join(base, 'root');
    mkdirSync(home, { mode: 0o700 });
    mkdirSync(root);
    randomFile(path.join(root, 'big'), 256 * MiB);
    const server = await serve(['--insecure', '--root', root, '--max-channels', '64'], { env: { FRAMESH_HOME: home } });
    const baseline = currentRss(server.pid);
    const readers: net.Socket[] = [];
    // SOAK_KINDS=get,exec runs only those kinds, to find which one holds memory.
    const only = process.env.SOAK_KINDS?.split(',');
    for (const [kind, { connections, channels, flood }] of Object.entries(KINDS)) {
      if (only && !only.includes(kind)) continue;
      for (let i = 0; i < connections; i += 1) readers.push(slowReader(server.port, flood, channels));
    }
    // Hold the pressure for a while, sampling: memory that grows without bound shows within seconds.
    // (VmHWM keeps the peak, so the samples only decide how long; they also show the curve with SOAK_DEBUG.)
    const began = Date.now();
    while (Date.now() - began < HOLD_MS) {
      if (process.env.SOAK_DEBUG) process.stdout.write(`rss ${currentRss(server.pid)} peak ${peakRss(server.pid)}\n`);
      await new Promise((r) => setTimeout(r, 250));
    }
    // Still serving everyone else while the slow readers sit there.
    const client = await connect({ host: '127.0.0.1', port: server.port, insecure: true, timeoutMs: 30_000 });
    const { stdout } = await client.run('echo still serving');
    assert.equal(stdout, 'still serving\n');
    await client.close();
    const peak = peakRss(server.pid);
    figure('slow readers', {
      kinds: (only ?? Object.keys(KINDS)).join('+'),
      connections: readers.length,
      baselineRssMiB: (baseline / MiB).toFixed(1),
      heldMs: Date.now() - began,
      peakRssMiB: (peak / MiB).toFixed(1),
    });
    for (const r of readers) r.destroy();
    await server.stop();
    assert.ok(peak < LIMIT, `server peak RSS ${(peak / MiB).toFixed(1)} MiB`);
  });
});
