import type { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { DATA_HEAD_ROOM_BYTES } from '../../connection/framed-connection.js';
import type { ChunksWithRoom } from '../exec/chunks-with-room.js';

/**
 * A range of an open file as a Readable of chunks that each sit in a buffer of their own with
 * DATA_HEAD_ROOM_BYTES unused before them, so a chunk can leave as one data frame with its head written
 * in front (FramedConnection.sendDataInPlace). `ownsRoom(chunk)` tells a chunk read here, whole, from a
 * piece of one (a window may split a chunk; the room before a later piece is the earlier piece's data).
 */
/** Written buffers kept for reuse per download (each DATA_HEAD_ROOM_BYTES + chunk size). */
const FREE_BUFFERS = 4;

export class FileChunks extends Readable implements ChunksWithRoom {
  private readonly file: fs.FileHandle;
  private readonly chunkBytes: number;
  private position: number;
  private readonly end: number;
  private readonly own = new WeakSet<Buffer>();
  /** Buffers whose frames were written (release()), read into again: fresh ones cost GC and page faults. */
  private readonly free: ArrayBuffer[] = [];

  /** Bytes `start` up to `end` (exclusive) of `file`, read `chunkBytes` at a time; the file stays open. */
  constructor(file: fs.FileHandle, start: number, end: number, chunkBytes: number) {
    // One chunk read ahead of the consumer, as createReadStream with highWaterMark = chunkBytes.
    super({ highWaterMark: chunkBytes });
    this.file = file;
    this.chunkBytes = chunkBytes;
    this.position = start;
    this.end = end;
  }

  ownsRoom(chunk: Buffer): boolean {
    return this.own.has(chunk);
  }

  /** `chunk` (one ownsRoom() said yes to) has been written and nothing holds it: its buffer is reused. */
  release(chunk: Buffer): void {
    if (!this.own.delete(chunk)) return;
    const memory = chunk.buffer as ArrayBuffer;
    if (memory.byteLength === DATA_HEAD_ROOM_BYTES + this.chunkBytes && this.free.length < FREE_BUFFERS) {
      this.free.push(memory);
    }
  }

  override _read(): void {
    const wanted = Math.min(this.chunkBytes, this.end - this.position);
    if (wanted <= 0) {
      this.push(null);
      return;
    }
    const reused = wanted === this.chunkBytes ? this.free.pop() : undefined;
    const buffer = reused ? Buffer.from(reused) : Buffer.allocUnsafeSlow(DATA_HEAD_ROOM_BYTES + wanted);
    this.file.read(buffer, DATA_HEAD_ROOM_BYTES, wanted, this.position).then(
      ({ bytesRead }) => {
        if (bytesRead === 0) {
          // The file shrank: end here; the channel compares what it sent with the size (FILE_CHANGED).
          this.push(null);
          return;
        }
        this.position += bytesRead;
        const chunk = buffer.subarray(DATA_HEAD_ROOM_BYTES, DATA_HEAD_ROOM_BYTES + bytesRead);
        this.own.add(chunk);
        this.push(chunk);
      },
      (err: Error) => this.destroy(err),
    );
  }
}
