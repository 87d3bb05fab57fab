/**
 * A million random inputs, twice: chunks of random and half-valid frames into the decoder (its held
 * bytes and the heap stay bounded), and random frames into a real server's message handling over real
 * connections (its memory stays bounded, it never crashes, and it serves a real client afterwards).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { connect, createServer } from '../src/index.js';
import { DEFAULT_LIMITS } from '../src/protocol/constants.js';
import { FrameDecoder } from '../src/protocol/frame-decoder.js';
import { encodeFrameToBuffer } from '../src/protocol/frame-encoder.js';
import { currentRss, figure, MiB, peakRss, scratch, serve } from './lib.js';

const INPUTS = 1_000_000;
const LIMITS = { maxHeaderBytes: 4096, maxBodyBytes: 64 * 1024 };

/** Deterministic per run seed, printed, so a failure can be replayed. */
const SEED = Number(process.env.SOAK_SEED ?? Date.now() % 2 ** 31);

function frameOf(header: Record<string, unknown>, body?: Buffer): Buffer {
  return encodeFrameToBuffer(header as { type: string }, body);
}

const anyJson = fc.jsonValue({ maxDepth: 2 });
const header = fc.oneof(
  fc.record({
    type: fc.constantFrom('ping', 'pong', 'hello', 'window', 'eof', 'cancel', 'signal', 'open', 'data', 'resize', 'x'),
  }),
  fc.dictionary(fc.constantFrom('type', 'ch', 'len', 'kind', 'stream', 'bytes', 'id', 'path'), anyJson, { maxKeys: 5 }),
);
/** One decoder input: random bytes, a frame, or a frame cut at a random point. */
const decoderInput = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((a) => Buffer.from(a)),
  fc.tuple(header, fc.uint8Array({ maxLength: 256 })).map(([h, b]) => frameOf(h, Buffer.from(b))),
  fc.tuple(header, fc.nat()).map(([h, cut]) => {
    const whole = frameOf(h);
    return whole.subarray(0, cut % (whole.length + 1));
  }),
  fc.nat({ max: 2 ** 32 - 1 }).map((n) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255])),
);

function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

/** Random frames a hostile client might send after a valid hello, over fresh connections to `port`. */
function hostileTraffic(port: number): { sent: number; oneConnection(count: number): Promise<void> } {
  const rng = fc.sample(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { numRuns: 1, seed: SEED })[0] as number;
  let state = rng || 1;
  const random = (n: number): number => {
    // xorshift: cheap and reproducible from the seed
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  const junk = fc.sample(header, { numRuns: 2000, seed: SEED });
  const names = ['a', 'b/c', '../x', '/etc/passwd', '.', '', 'd/../../e', 'f\u0000g', '~', 'h'.repeat(300)];

  /** One frame a hostile client might send after a valid hello; `ch` is the next free channel id. */
  function nextFrame(ch: { next: number; opened: number[] }): Buffer {
    const roll = random(100);
    const old = ch.opened[random(ch.opened.length || 1)] ?? 1;
    if (roll < 25) return frameOf({ type: 'ping', id: random(3) === 0 ? `s${random(1e6)}` : random(2 ** 31) });
    if (roll < 45) {
      const id = ch.next++;
      ch.opened.push(id);
      const kind = ['stat', 'stat', 'mkdir', 'get', 'put'][random(5)];
      return frameOf({
        type: 'open',
        ch: id,
        kind,
        path: names[random(names.length)],
        window: 1 + random(2 ** 20),
        size: random(100),
        sha256: 'x',
      });
    }
    if (roll < 60) return frameOf({ type: 'window', ch: old, bytes: 1 + random(1000) });
    if (roll < 70) return frameOf({ type: 'cancel', ch: old });
    if (roll < 80) return frameOf({ type: 'eof', ch: old, stream: 'stdin' });
    if (roll < 90) return frameOf({ type: 'pong', id: random(1000) });
    if (roll < 99) return frameOf({ type: 'signal', ch: old, signal: ['INT', 'TERM', 'HUP'][random(3)] });
    return frameOf(junk[random(junk.length)] as Record<string, unknown>); // most likely fatal
  }

  const hello = frameOf({
    type: 'hello',
    version: '1.0',
    agent: 'soak',
    capabilities: ['exec', 'files'],
    limits: DEFAULT_LIMITS,
  });
  const traffic = {
    sent: 0,
    /** One connection: a hello, then `count` random frames, then end; resolves when it closed. */
    oneConnection: (count: number): Promise<void> =>
      new Promise((resolve) => {
        const socket = net.connect({ host: '127.0.0.1', port: port });
        socket.on('data', () => {}); // read and drop the answers, as a client that listens would
        socket.on('error', () => {});
        socket.on('close', () => resolve());
        socket.once('connect', () => {
          const ch = { next: 1, opened: [] as number[] };
          const frames = [hello];
          for (let i = 0; i < count; i += 1) frames.push(nextFrame(ch));
          traffic.sent += count;
          socket.end(Buffer.concat(frames));
        });
      }),
  };
  return traffic;
}

describe('a million random inputs', () => {
  it('the decoder stays bounded and never throws', { timeout: 300_000 }, () => {
    const inputs = fc.sample(decoderInput, { numRuns: 10_000, seed: SEED });
    const heapBefore = heapUsed();
    let decoder = new FrameDecoder(LIMITS);
    let frames = 0;
    let failures = 0;
    let maxHeld = 0;
    const began = Date.now();
    for (let i = 0; i < INPUTS; i += 1) {
      const result = decoder.decode(inputs[i % inputs.length] as Buffer);
      frames += result.frames.length;
      maxHeld = Math.max(maxHeld, decoder.bufferedBytes);
      if (result.error) {
        failures += 1;
        decoder = new FrameDecoder(LIMITS);
      }
    }
    const heapGrowth = heapUsed() - heapBefore;
    figure('decoder', {
      seed: SEED,
      inputs: INPUTS,
      frames,
      failures,
      maxHeldBytes: maxHeld,
      heapGrowthMiB: (heapGrowth / MiB).toFixed(1),
      ms: Date.now() - began,
    });
    assert.ok(maxHeld <= LIMITS.maxHeaderBytes + LIMITS.maxBodyBytes + 4 + 64 * 1024, `held ${maxHeld} bytes`);
    assert.ok(heapGrowth < 32 * MiB, `heap grew by ${heapGrowth} bytes`);
  });

  it(
    "the server's heap after a full GC does not grow with the hostile connections it served",
    { timeout: 300_000 },
    async () => {
      // In-process, so the heap can be measured after gc() (this file runs with --expose-gc): RSS alone
      // cannot tell a leak from a heap V8 has not given back yet. 4 rounds of 800 connections of the same
      // random frames; once every connection has gone, the live heap must be what it was after round 2 (round 1
      // warms up: caches, compiled code, pools).
      const root = path.join(scratch('random-heap'), 'root');
      mkdirSync(root);
      const server = createServer({
        insecure: true,
        root,
        home: path.join(root, '..', 'home'),
        maxChannels: 64,
        perSourceMaxStartups: 0,
      });
      const { port } = await server.listen(0, '127.0.0.1');
      const traffic = hostileTraffic(port);
      const heaps: number[] = [];
      for (let round = 0; round < 4; round += 1) {
        for (let c = 0; c < 800; c += 16)
          await Promise.all(Array.from({ length: 16 }, (_, i) => traffic.oneConnection(50 + ((c + i) % 450))));
        const settled = Date.now() + 30_000;
        while (server.connectionCount > 0 && Date.now() < settled) await new Promise((r) => setTimeout(r, 50));
        // A connection that broke the protocol is kept up to 2 s after it left the count (FAIL_LINGER_MS in
        // connection/framed-connection.ts) for its peer to read the error frame: let those timers run out.
        await new Promise((r) => setTimeout(r, 2500));
        heaps.push(heapUsed());
      }
      await server.close(200);
      figure('server heap', {
        seed: SEED,
        connections: 3200,
        frames: traffic.sent,
        heapAfterGcMiB: heaps.map((h) => (h / MiB).toFixed(1)).join('/'),
      });
      assert.ok(
        (heaps[3] as number) - (heaps[1] as number) < 4 * MiB,
        `live heap grew from ${heaps[1]} to ${heaps[3]}`,
      );
    },
  );

  it("the server's message handling stays bounded and keeps serving", { timeout: 420_000 }, async () => {
    const base = scratch('random-server');
    const home = path.join(base, 'home');
    const root = path.join(base, 'root');
    mkdirSync(home, { mode: 0o700 });
    mkdirSync(root);
    const server = await serve(['--insecure', '--root', root, '--max-channels', '64'], { env: { FRAMESH_HOME: home } });
    const traffic = hostileTraffic(server.port);
    let connections = 0;
    const began = Date.now();
    const deadline = began + 360_000;
    const PARALLEL = 16;
    /** Sends frames over PARALLEL connections at a time until `until` frames have gone in all. */
    const flood = async (until: number): Promise<void> => {
      const workers = Array.from({ length: PARALLEL }, async () => {
        while (traffic.sent < until && Date.now() < deadline) {
          connections += 1;
          await traffic.oneConnection(50 + (connections % 450));
          if (process.env.SOAK_DEBUG && connections % 300 === 0)
            process.stdout.write(
              `sent ${traffic.sent} rss ${(currentRss(server.pid) / MiB) | 0} peak ${(peakRss(server.pid) / MiB) | 0}\n`,
            );
        }
      });
      await Promise.all(workers);
    };
    // Two half floods with a pause between, both peaks printed. The peak is held only to a ceiling that
    // catches gross growth (the pong flood of issue 9 reached 400 MiB): what one flood reaches depends on
    // how fast frames arrive, since V8 sizes its heap to the allocation rate and gives memory back late
    // (101 MiB when this took 21 s on a loaded machine, ~170 MiB in 8 s on a quiet one, still rising in
    // the second half). A leak is looked for where it can be seen, the heap after a full GC, in-process:
    // docs/RELIABILITY.md has that probe (flat at 8 MiB over 3200 connections of these frames).
    await flood(INPUTS / 2);
    const firstPeak = peakRss(server.pid);
    await new Promise((r) => setTimeout(r, 3000));
    await flood(INPUTS);
    const peak = peakRss(server.pid);
    figure('server random frames', {
      seed: SEED,
      frames: traffic.sent,
      connections,
      ms: Date.now() - began,
      serverPeakRssMiB: (peak / MiB).toFixed(1),
      firstHalfPeakRssMiB: (firstPeak / MiB).toFixed(1),
    });
    assert.ok(traffic.sent >= INPUTS, `only ${traffic.sent} frames sent before the time limit`);
    assert.ok(peak < 256 * MiB, `server peak RSS ${peak}`);
    const client = await connect({ host: '127.0.0.1', port: server.port, insecure: true });
    assert.equal((await client.run('echo still serving')).stdout, 'still serving\n');
    await client.close();
    await server.stop();
  });
});
