/**
 * The posix_spawn launcher reads command output into buffers of its own (server/process/pipe-output.ts):
 * small reads are copied out of one buffer shared by every pipe, bulk reads are handed out in buffers
 * with room for a frame head, sent in place and read into again once released. Every byte must arrive
 * exactly whatever sizes the command writes in, however a window splits chunks, over TLS and plaintext,
 * with stdout and stderr and several commands interleaved; and memory is reused only once released.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, fstatSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { ExecCall, FrameshClient } from '../../src/index.js';
import {
  loadNativeSpawn,
  type NativeSpawnAddon,
  type PipeReader,
} from '../../src/server/process/native-spawn-addon.js';
import { NativeSpawnLauncher } from '../../src/server/process/native-spawn-launcher.js';
import type { LaunchSpec } from '../../src/server/process/launcher.js';
import { PipeOutput } from '../../src/server/process/pipe-output.js';
import { startSecureServer } from '../helpers/secure.js';
import { startTestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

const native = loadNativeSpawn();
const skip =
  native.addon || process.env.CI === 'true'
    ? false
    : `posix_spawn addon unavailable: ${'reason' in native ? native.reason : ''}`;

const dir = tempDir('framesh-pipe-output-');
const data = randomBytes(3 * 1024 * 1024 + 12345);
const dataFile = path.join(dir, 'data');
writeFileSync(dataFile, data);
const dataHash = createHash('sha256').update(data).digest('hex');

/**
 * A program that writes the file to stdout (and, with "both", also to stderr) in writes of sizes that
 * cross every threshold of PipeOutput: single bytes, lines, just under and over half a read, a whole read
 * and more than one.
 */
const writer = path.join(dir, 'writer.cjs');
writeFileSync(
  writer,
  `const fs = require('node:fs');
const data = fs.readFileSync(process.argv[2]);
const fds = process.argv[3] === 'both' ? [1, 2] : [1];
const sizes = [1, 100, 32767, 32768, 70000, 5, 65536, 200000, 4096];
for (let at = 0, i = 0; at < data.length; i++) {
  const n = Math.min(sizes[i % sizes.length], data.length - at);
  for (const fd of fds) {
    for (let done = 0; done < n; ) done += fs.writeSync(fd, data, at + done, n - done);
  }
  at += n;
}
`,
);
const writerSpec = (streams: 'stdout' | 'both' = 'stdout'): LaunchSpec => ({
  file: process.execPath,
  args: [writer, dataFile, streams],
  cwd: dir,
  env: process.env,
});

function gather(stream: Readable, onChunk: (chunk: Buffer) => void = () => {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => {
    chunks.push(Buffer.from(chunk));
    onChunk(chunk);
  });
  return once(stream, 'end').then(() => Buffer.concat(chunks));
}

describe('pipe output read into reused buffers (posix_spawn launcher)', { skip }, () => {
  const launcher = native.addon ? new NativeSpawnLauncher(native.addon) : null;
  const launch = (spec: LaunchSpec) => (launcher as NativeSpawnLauncher).launch(spec);

  it('hands out bulk reads with room before them and copies small ones', async () => {
    const proc = await launch(writerSpec());
    assert.ok(proc.stdout instanceof PipeOutput);
    const out = proc.stdout;
    let lent = 0;
    let copied = 0;
    const kept: Buffer[] = [];
    out.on('data', (chunk: Buffer) => {
      kept.push(chunk);
      if (out.ownsRoom(chunk)) {
        lent++;
        assert.ok(chunk.length >= 32 * 1024, `a lent chunk of ${chunk.length} bytes`);
        assert.ok(chunk.byteOffset >= 80, 'room for a frame head before the chunk');
      } else copied++;
    });
    proc.stdin.end();
    proc.stderr.resume();
    await Promise.all([once(out, 'end'), proc.exited]);
    assert.ok(lent > 0 && copied > 0, `${lent} lent, ${copied} copied`);
    // Nothing was released, so no memory was read into twice: what was kept is exactly what was written.
    assert.equal(Buffer.concat(kept).equals(data), true);
  });

  it('reads into a released buffer again, and never into one still held', async () => {
    const proc = await launch({ file: 'cat', args: [dataFile], cwd: dir, env: process.env });
    const out = proc.stdout as PipeOutput;
    const released = new Set<ArrayBufferLike>();
    let reused = 0;
    let lent = 0;
    const held: Array<{ chunk: Buffer; copy: Buffer }> = [];
    const received = gather(out, (chunk) => {
      if (!out.ownsRoom(chunk)) return;
      if (released.has(chunk.buffer)) reused++;
      // Every other lent chunk is held to the end, the rest released at once.
      if (lent++ % 2 === 0) held.push({ chunk, copy: Buffer.from(chunk) });
      else {
        released.add(chunk.buffer);
        out.release(chunk);
      }
    });
    proc.stdin.end();
    proc.stderr.resume();
    assert.equal((await received).equals(data), true);
    await proc.exited;
    assert.ok(reused > 0, 'released buffers are read into again');
    for (const { chunk, copy } of held) assert.equal(chunk.equals(copy), true, 'a held chunk was overwritten');
  });

  it('keeps stdout and stderr whole when both carry bulk and small writes', async () => {
    const proc = await launch(writerSpec('both'));
    proc.stdin.end();
    const [stdout, stderr] = await Promise.all([gather(proc.stdout), gather(proc.stderr), proc.exited]);
    assert.equal(stdout.equals(data), true);
    assert.equal(stderr.equals(data), true);
  });

  it('closes the pipe on destroy, from inside a data handler too: the writer gets SIGPIPE', async () => {
    for (const fromHandler of [false, true]) {
      const proc = await launch({ file: 'yes', args: ['framesh'], cwd: dir, env: process.env });
      proc.stdin.end();
      proc.stderr.resume();
      let chunks = 0;
      const closed = once(proc.stdout, 'close');
      const destroyed = new Promise<void>((resolve) => {
        proc.stdout.on('data', () => {
          if (++chunks !== 3) return;
          if (fromHandler) proc.stdout.destroy();
          else setImmediate(() => proc.stdout.destroy());
          resolve();
        });
      });
      await destroyed;
      // A reader left open would leave `yes` blocked on a full pipe and this wait would time out.
      assert.deepEqual(await proc.exited, { code: null, signal: 'SIGPIPE' });
      await closed;
    }
  });

  it('leaves no descriptor open in the server, whether output ended, was destroyed or never read', async () => {
    const openFds = () => readdirSync('/proc/self/fd').length;
    const before = openFds();
    for (let i = 0; i < 60; i++) {
      const proc = await launch(
        i % 3 === 2 ? { file: 'yes', args: [], cwd: dir, env: process.env } : writerSpec('both'),
      );
      proc.stdin.end();
      if (i % 3 === 0) {
        await Promise.all([gather(proc.stdout), gather(proc.stderr), proc.exited]);
      } else {
        // Never read (1) or read a little (2), then given up as a channel does when it closes.
        if (i % 3 === 2) await once(proc.stdout, 'data');
        proc.stdout.destroy();
        proc.stderr.destroy();
        proc.signalGroup('SIGKILL');
        await proc.exited;
      }
    }
    // Closes finish on the loop's next turns; a leak is two descriptors a command, 120 here.
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(openFds() <= before + 2, `${before} descriptors before, ${openFds()} after`);
  });

  it('reports a pipe it cannot read as an error with a code, and keeps the descriptor when it refuses one', () => {
    const addon = native.addon as NativeSpawnAddon;
    // epoll refuses a regular file: readPipe throws, and the descriptor is still the caller's to close.
    const fd = openSync(dataFile, 'r');
    try {
      assert.throws(
        () => addon.readPipe(fd, () => true),
        (err: NodeJS.ErrnoException) => err.code === 'EPERM',
      );
      assert.equal(fstatSync(fd).size, data.length);
    } finally {
      closeSync(fd);
    }
    assert.throws(() => addon.pipeInto({} as PipeReader, Buffer.alloc(1)), TypeError);
  });

  it('keeps every byte in order under random pauses, releases and destroys (seeded, bounded)', async () => {
    // A seeded generator, so a failure can be replayed: FRAMESH_TEST_SEED=N.
    let seed = Number(process.env.FRAMESH_TEST_SEED ?? Date.now() % 1_000_000);
    const firstSeed = seed;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 24; round++) {
      const proc = await launch(writerSpec(round % 2 === 0 ? 'stdout' : 'both'));
      proc.stdin.end();
      const out = proc.stdout as PipeOutput;
      const destroyAfter = random() < 0.4 ? Math.floor(random() * 40) : Infinity;
      const received: Buffer[] = [];
      let chunks = 0;
      const closed = once(out, 'close');
      out.on('data', (chunk: Buffer) => {
        received.push(Buffer.from(chunk));
        if (out.ownsRoom(chunk) && random() < 0.7) out.release(chunk);
        chunks++;
        const roll = random();
        if (chunks >= destroyAfter) {
          // From inside the handler (the reader is in its callback) or on a later turn.
          if (roll < 0.5) out.destroy();
          else setImmediate(() => out.destroy());
        } else if (roll < 0.3) {
          out.pause();
          const resume = () => out.resume();
          if (roll < 0.1) process.nextTick(resume);
          else if (roll < 0.2) setImmediate(resume);
          else setTimeout(resume, 1);
        }
      });
      proc.stderr.resume();
      const context = `seed ${firstSeed}, round ${round}`;
      // A reader left paused would stall the writer for good: fail within seconds, naming the seed.
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${context}: output stalled after ${chunks} chunks`)), 10_000);
      });
      await Promise.race([closed, stalled]).finally(() => {
        clearTimeout(timer);
        proc.signalGroup('SIGKILL');
      });
      const got = Buffer.concat(received);
      if (destroyAfter === Infinity) assert.equal(got.equals(data), true, `${context}: the whole output`);
      else assert.equal(got.equals(data.subarray(0, got.length)), true, `${context}: a prefix of the output`);
      await proc.exited;
    }
  });

  after(() => launcher?.close());
});

describe('pipe output through connections, frames sent in place', { skip }, () => {
  let secureClient: FrameshClient;
  let plainClient: FrameshClient;

  before(async () => {
    const secure = await startSecureServer();
    secureClient = await secure.client();
    const plain = await startTestServer();
    plainClient = await plain.client();
  });

  /** Reads a call's two streams, pausing now and then so windows and the socket split and hold chunks. */
  async function hashes(call: ExecCall): Promise<[string, string]> {
    call.stdin.end();
    const digest = (stream: Readable) =>
      new Promise<string>((resolve, reject) => {
        const hash = createHash('sha256');
        let chunks = 0;
        stream.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          if (++chunks % 7 === 0) {
            stream.pause();
            setImmediate(() => stream.resume());
          }
        });
        stream.once('end', () => resolve(hash.digest('hex')));
        stream.once('error', reject);
      });
    const [out, err, exit] = await Promise.all([digest(call.stdout), digest(call.stderr), call.exit]);
    assert.deepEqual(exit, { code: 0, signal: null });
    return [out, err];
  }

  for (const [name, client] of [
    ['TLS', () => secureClient],
    ['plaintext', () => plainClient],
  ] as const) {
    it(`${name}: every byte of three interleaved commands, with a window smaller than one read`, async () => {
      const argv = [process.execPath, writer, dataFile, 'both'];
      const calls = [
        client().exec(argv, { windowBytes: 40_000 }),
        client().exec(argv),
        client().exec(['cat', dataFile], { windowBytes: 100_000 }),
      ];
      const results = await Promise.all(calls.map(hashes));
      assert.deepEqual(results[0], [dataHash, dataHash]);
      assert.deepEqual(results[1], [dataHash, dataHash]);
      assert.equal(results[2][0], dataHash);
    });
  }
});
