import { Readable } from 'node:stream';
import { DATA_HEAD_ROOM_BYTES } from '../../connection/framed-connection.js';
import type { ChunksWithRoom } from '../exec/chunks-with-room.js';
import { errnoName } from './errno-name.js';
import type { NativeSpawnAddon, PipeReader } from './native-spawn-addon.js';

/** One read of a pipe: what Node itself reads a pipe with. */
const READ_BYTES = 64 * 1024;
/**
 * A read at least this large is handed out in the buffer it was read into (bulk output); a smaller one
 * is copied into a buffer of its size, as Node copies every read that did not fill its buffer. So a
 * consumer that keeps chunks (the classic server collects a reply) never holds more than twice the
 * bytes it kept, whatever sizes the command writes in.
 */
const LEND_MIN_BYTES = READ_BYTES / 2;
/** Buffers whose frames were written, kept per pipe to be read into again. */
const FREE_BUFFERS = 2;

/**
 * The buffer every pipe reads into until it first carries bulk output. Safe to share: the addon reads
 * one pipe at a time on the loop's thread, and the read callback copies the bytes out before it returns. An
 * idle pipe, or one that only ever carries a few lines (`echo hi`), so holds no read buffer of its own.
 */
let sharedBuffer: Buffer | null = null;

function shared(): Buffer {
  sharedBuffer ??= Buffer.allocUnsafeSlow(READ_BYTES);
  return sharedBuffer;
}

/**
 * A command's stdout or stderr, read by framesh's addon on the event loop (native/pipe-reader.c) into
 * buffers of its own, each with DATA_HEAD_ROOM_BYTES free before the bytes read, so a bulk chunk leaves
 * as one data frame (ChunksWithRoom, FramedConnection.sendDataInPlace) and its buffer is read into again
 * once the frame was written. Node would allocate a fresh 64 KiB buffer for every read: at hundreds of
 * MB/s those buffers were the external memory that made V8 run a full collection every few dozen MB, and
 * over TLS every frame was copied once more into one buffer of head and body. Measured on a 1 GiB
 * stream: the server's CPU a third lower over TLS (docs/BENCHMARKS.md). Not a net.Socket over the pipe:
 * two of those per command were a quarter of the server's CPU at 100 clients x `echo hi`.
 *
 * A Readable like the socket Node would have made: flow control by push()'s answer (a full buffer stops
 * reading the pipe until _read), 'end' at EOF, 'error' for a read error, destroy() closes the pipe.
 * Reading starts at once, so 'end' comes whether or not anyone reads (one buffer's worth is held).
 */
export class PipeOutput extends Readable implements ChunksWithRoom {
  private readonly reader: PipeReader;
  /** Chunks handed out in buffers of our own, not yet released. */
  private readonly lent = new WeakSet<Buffer>();
  private readonly free: ArrayBuffer[] = [];
  /** The buffer the next read goes into: the shared one, or (after a bulk read) one of our own. */
  private target: Buffer = shared();

  constructor(
    fd: number,
    private readonly addon: NativeSpawnAddon,
  ) {
    // Node's own for a socket: while nobody reads, one read is buffered and then the pipe is left unread.
    super({ highWaterMark: 16 * 1024 });
    this.reader = addon.readPipe(fd, (bytes) => this.onRead(bytes));
    addon.pipeInto(this.reader, this.target);
    addon.pipeResume(this.reader);
  }

  ownsRoom(chunk: Buffer): boolean {
    return this.lent.has(chunk);
  }

  release(chunk: Buffer): void {
    if (!this.lent.delete(chunk)) return;
    if (this.free.length < FREE_BUFFERS) this.free.push(chunk.buffer as ArrayBuffer);
  }

  override _read(): void {
    // Also from inside onRead (push() can call it) or a tick before the addon sees onRead's answer: the
    // addon then keeps reading whatever onRead returns (native/pipe-reader.c, pipeResume).
    this.addon.pipeResume(this.reader);
  }

  override _destroy(err: Error | null, callback: (err: Error | null) => void): void {
    this.addon.pipeClose(this.reader);
    callback(err);
  }

  /** After each read of the pipe (native/pipe-reader.c): false pauses reading until _read resumes it. */
  private onRead(bytes: number): boolean {
    if (bytes <= 0) {
      // The reader has closed the pipe already.
      if (bytes === 0) this.push(null);
      else this.destroy(readError(-bytes));
      return false;
    }
    return this.pushRead(bytes);
  }

  private pushRead(bytes: number): boolean {
    const read = this.target.subarray(0, bytes);
    if (bytes < LEND_MIN_BYTES || this.target === sharedBuffer) {
      // Bulk has begun once a read fills half a buffer: from the next read on, this pipe reads into its own.
      if (bytes >= LEND_MIN_BYTES) this.readInto(this.ownBuffer());
      return this.push(Buffer.from(read));
    }
    this.lent.add(read);
    this.readInto(this.ownBuffer());
    return this.push(read);
  }

  private readInto(buffer: Buffer): void {
    this.target = buffer;
    this.addon.pipeInto(this.reader, buffer);
  }

  private ownBuffer(): Buffer {
    const memory = this.free.pop() ?? Buffer.allocUnsafeSlow(DATA_HEAD_ROOM_BYTES + READ_BYTES).buffer;
    return Buffer.from(memory, DATA_HEAD_ROOM_BYTES, READ_BYTES);
  }
}

/** A failed read as Node reports one: code, errno, syscall. */
function readError(errno: number): NodeJS.ErrnoException {
  const code = errnoName(errno);
  return Object.assign(new Error(`read ${code}`), { code, errno: -errno, syscall: 'read' });
}
