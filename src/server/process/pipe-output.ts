import net from 'node:net';
import { Readable } from 'node:stream';
import { DATA_HEAD_ROOM_BYTES } from '../../connection/framed-connection.js';
import type { ChunksWithRoom } from '../exec/chunks-with-room.js';

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
 * The buffer every pipe reads into until it first carries bulk output. Safe to share: libuv reads one
 * pipe at a time on the loop's thread, and the read callback copies the bytes out before it returns. An
 * idle pipe, or one that only ever carries a few lines (`echo hi`), so holds no read buffer of its own.
 */
let sharedBuffer: Buffer | null = null;

function shared(): Buffer {
  sharedBuffer ??= Buffer.allocUnsafeSlow(READ_BYTES);
  return sharedBuffer;
}

/**
 * Node reads `onread` in the Socket constructor too (its docs list it there since 2024, nodejs/node#54194;
 * test/integration/pipe-output.test.ts proves it on the Node that runs), where @types/node 20 lists it
 * for connect() only.
 */
type PipeSocketOptions = net.SocketConstructorOpts & { onread: net.OnReadOpts };

/**
 * A command's stdout or stderr read through Node's `onread` into buffers of its own, each with
 * DATA_HEAD_ROOM_BYTES free before the bytes read, so a bulk chunk leaves as one data frame
 * (ChunksWithRoom, FramedConnection.sendDataInPlace) and its buffer is read into again once the frame was
 * written. Node would allocate a fresh 64 KiB buffer for every read: at hundreds of MB/s those buffers
 * were the external memory that made V8 run a full collection every few dozen MB, and over TLS every
 * frame was copied once more into one buffer of head and body. Measured on a 1 GiB stream: the server's
 * CPU a third lower over TLS (docs/BENCHMARKS.md).
 *
 * A Readable like the socket Node would have made: flow control by push()'s answer (a full buffer stops
 * reading the pipe until _read), 'end' at EOF, 'error' for a read error, destroy() closes the pipe.
 */
export class PipeOutput extends Readable implements ChunksWithRoom {
  private readonly socket: net.Socket;
  /** Chunks handed out in buffers of our own, not yet released. */
  private readonly lent = new WeakSet<Buffer>();
  private readonly free: ArrayBuffer[] = [];
  /** The buffer the next read goes into: the shared one, or (after a bulk read) one of our own. */
  private target: Buffer = shared();

  constructor(fd: number) {
    // Node's own for a socket: while nobody reads, one read is buffered and then the pipe is left unread.
    super({ highWaterMark: 16 * 1024 });
    const options: PipeSocketOptions = {
      fd,
      readable: true,
      writable: false,
      onread: { buffer: () => this.target, callback: (bytes: number) => this.onRead(bytes) },
    };
    this.socket = new net.Socket(options);
    this.socket.on('end', () => this.push(null));
    this.socket.on('error', (err) => this.destroy(err));
    // With onread the socket emits no 'data'; flowing only lets it reach 'end' whether or not anyone
    // had asked for data by then. Reading pauses and resumes through onRead's answer and _read.
    this.socket.resume();
  }

  ownsRoom(chunk: Buffer): boolean {
    return this.lent.has(chunk);
  }

  release(chunk: Buffer): void {
    if (!this.lent.delete(chunk)) return;
    if (this.free.length < FREE_BUFFERS) this.free.push(chunk.buffer as ArrayBuffer);
  }

  override _read(): void {
    this.socket.resume();
  }

  override _destroy(err: Error | null, callback: (err: Error | null) => void): void {
    this.socket.destroy();
    callback(err);
  }

  /** False stops reading the pipe (Node's `onread` contract) until _read resumes it. */
  private onRead(bytes: number): boolean {
    const read = this.target.subarray(0, bytes);
    if (bytes < LEND_MIN_BYTES || this.target === sharedBuffer) {
      // Bulk has begun once a read fills half a buffer: from the next read on, this pipe reads into its own.
      if (bytes >= LEND_MIN_BYTES) this.target = this.ownBuffer();
      return this.push(Buffer.from(read));
    }
    this.lent.add(read);
    this.target = this.ownBuffer();
    return this.push(read);
  }

  private ownBuffer(): Buffer {
    const memory = this.free.pop() ?? Buffer.allocUnsafeSlow(DATA_HEAD_ROOM_BYTES + READ_BYTES).buffer;
    return Buffer.from(memory, DATA_HEAD_ROOM_BYTES, READ_BYTES);
  }
}
