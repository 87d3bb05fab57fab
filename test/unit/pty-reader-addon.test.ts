/**
 * The addon's terminal reader (native/pty-reader.c, through ThreadedPtyReads) on real pipes (a FIFO in a
 * temp directory): its contract apart from terminals, which terminal-process.test.ts drives. What goes in
 * comes out in order and whole, the end comes after the last byte, a reader that is not taken from stops
 * at its cap without losing anything (read on the loop or on the thread), reading passes from the loop to
 * the thread and back without a byte lost or reordered, and stopping works whether the reader waits for
 * bytes or for room.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { addonPtyReader, ThreadedPtyReads } from '../../src/server/pty/threaded-pty-reads.js';
import { tempDir } from '../helpers/temp-dirs.js';

const addon = addonPtyReader();
const dir = tempDir('framesh-pty-reader-');
let fifos = 0;

/** A pipe: its read end for the reader, its write end non-blocking for the test. */
function pipe(): { readFd: number; writeFd: number } {
  const file = path.join(dir, `fifo-${fifos++}`);
  execFileSync('mkfifo', [file]);
  const readFd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(file, constants.O_WRONLY | constants.O_NONBLOCK);
  return { readFd, writeFd };
}

/** Writes what fits now; the number of bytes written (a full pipe takes none). */
function writeSome(fd: number, bytes: Buffer): number {
  try {
    return writeSync(fd, bytes);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return 0;
    throw err;
  }
}

/** A byte pattern no two offsets of which a reorder or a loss could leave looking right. */
function pattern(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i + 4 <= length; i += 4) bytes.writeUInt32BE(i, i);
  return bytes;
}

/** The reader's cap (native/pty-reader.c) and what a full pipe holds on Linux (16 pages). */
const CAP = 256 * 1024;
const PIPE = 64 * 1024;
/** Bytes written once the reader holds its cap and the pipe is full. */
const FULL = CAP + PIPE;

/**
 * Writes `bytes` until the reader (not taken from) holds its cap and the pipe is full, then checks that
 * nothing more goes in: the reader stopped reading, as a full terminal stops its writer.
 */
async function fillUntilStopped(writeFd: number, bytes: Buffer, step = 65536): Promise<void> {
  let at = 0;
  await until(() => {
    at += writeSome(writeFd, bytes.subarray(at, Math.min(FULL, at + step)));
    return at === FULL;
  }, 'the reader to take its cap');
  assert.equal(writeSome(writeFd, Buffer.alloc(1)), 0, 'the reader went on reading past its cap');
}

/** Resolves on the next loop rounds until `done()` holds, failing after `ms`. */
async function until(done: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('the addon terminal reader', { skip: addon ? false : 'the addon is not built' }, () => {
  it('hands over every byte in order, then the end once the writer closed', async () => {
    const { readFd, writeFd } = pipe();
    const chunks: Buffer[] = [];
    let ended = 0;
    const reads = new ThreadedPtyReads(addon!, readFd, () => ended++);
    reads.onData((chunk) => chunks.push(chunk));
    const sent = pattern(3 * 1024 * 1024 + 3);
    for (let at = 0; at < sent.length;) {
      at += writeSome(writeFd, sent.subarray(at, at + 65536));
      await new Promise((resolve) => setImmediate(resolve));
    }
    closeSync(writeFd);
    await until(() => ended > 0, 'the end');
    assert.ok(Buffer.concat(chunks).equals(sent), 'bytes lost or reordered');
    assert.equal(ended, 1);
    closeSync(readFd);
  });

  /**
   * A paused reader fills to its cap and stops; resumed, it hands over everything in order. `step` is the
   * writer's write size: 64 KiB writes are full reads, read on the thread; 1 KiB writes (below PIPE_BUF
   * a write is all or nothing, and 1 KiB divides the cap and the pipe) are short reads, read on the loop.
   */
  async function capHolds(total: number, step: number): Promise<void> {
    const { readFd, writeFd } = pipe();
    const chunks: Buffer[] = [];
    let ended = false;
    const reads = new ThreadedPtyReads(addon!, readFd, () => (ended = true));
    reads.onData((chunk) => chunks.push(chunk));
    reads.pause();
    const sent = pattern(total);
    await fillUntilStopped(writeFd, sent, step);
    assert.equal(chunks.length, 0, 'a paused reader handed bytes over');
    reads.resume();
    for (let at = FULL; at < sent.length;) {
      at += writeSome(writeFd, sent.subarray(at, at + step));
      await new Promise((resolve) => setImmediate(resolve));
    }
    closeSync(writeFd);
    await until(() => ended, 'the end');
    assert.ok(Buffer.concat(chunks).equals(sent), 'bytes lost or reordered');
    closeSync(readFd);
  }

  it('stops reading at its cap while not taken from, and loses nothing', () => capHolds(2 * 1024 * 1024, 65536));

  it('passes reading from the loop to the thread and back, losing and reordering nothing', async () => {
    // Short writes, each taken before the next, are read on the loop (a read below 4000 bytes); a burst
    // of 64 KiB writes hands reading to the thread, which hands it back once nothing came for a while.
    // The next short write may land while reading is being handed back: it must still arrive.
    const { readFd, writeFd } = pipe();
    const chunks: Buffer[] = [];
    let received = 0;
    let ended = false;
    const reads = new ThreadedPtyReads(addon!, readFd, () => (ended = true));
    reads.onData((chunk) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    const sent = pattern(8 * (20 * 100 + 512 * 1024));
    let at = 0;
    for (let round = 0; round < 8; round++) {
      for (let key = 0; key < 20; key++) {
        at += writeSome(writeFd, sent.subarray(at, at + 100));
        await until(() => received === at, 'a short write');
      }
      for (const end = at + 512 * 1024; at < end;) {
        at += writeSome(writeFd, sent.subarray(at, Math.min(end, at + 65536)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await until(() => received === at, 'a burst');
    }
    assert.equal(at, sent.length);
    closeSync(writeFd);
    await until(() => ended, 'the end');
    assert.ok(Buffer.concat(chunks).equals(sent), 'bytes lost or reordered');
    closeSync(readFd);
  });

  it('stops at its cap also when the bytes come in short writes, read on the loop', () =>
    capHolds(FULL + 100 * 1024, 1024));

  it('stops at once while waiting for bytes and while full, and stop() may come twice', async () => {
    for (const full of [false, true]) {
      const { readFd, writeFd } = pipe();
      const chunks: Buffer[] = [];
      let ended = false;
      const reads = new ThreadedPtyReads(addon!, readFd, () => (ended = true));
      reads.onData((chunk) => chunks.push(chunk));
      if (full) {
        reads.pause();
        await fillUntilStopped(writeFd, pattern(FULL));
      }
      reads.stop(); // joins the thread: a thread that does not end would hang the test here
      reads.stop();
      assert.equal(ended, false, 'stop() is not the end of the input');
      // What the thread held (its cap) is handed over by stop(), paused or not; the pipe keeps the rest.
      assert.equal(Buffer.concat(chunks).length, full ? CAP : 0);
      closeSync(writeFd);
      closeSync(readFd);
    }
  });
});
