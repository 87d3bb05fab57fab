import type { FramedConnection } from '../../connection/framed-connection.js';
import type { StreamName } from '../../protocol/constants.js';

/**
 * A source that reads into memory of its own and leaves DATA_HEAD_ROOM_BYTES free before each chunk it
 * hands out (server/files/file-chunks.ts, server/process/pipe-output.ts). Such a chunk can leave as one
 * data frame with its head written in front (FramedConnection.sendDataInPlace): over TLS, a frame written
 * as head and body is first copied into one fresh buffer, which at hundreds of MB/s is a copy of every
 * byte and the garbage that drives V8's full collections. Once the frame is written its memory is read
 * into again.
 */
export interface ChunksWithRoom {
  /** True for a chunk handed out whole by this source (a piece of one has someone's bytes before it). */
  ownsRoom(chunk: Buffer): boolean;
  /** The frame of `chunk` was written and nothing refers to it any more: its memory may be reused. */
  release(chunk: Buffer): void;
}

export function hasRoomBeforeChunks(source: object): source is ChunksWithRoom {
  const candidate = source as Partial<ChunksWithRoom>;
  return typeof candidate.ownsRoom === 'function' && typeof candidate.release === 'function';
}

/**
 * Sends one chunk of `source` as a data frame: in place when the source owns the room before it, else
 * as head and body. `interactive` output (a terminal's) takes the ordinary path, which writes a small
 * frame at once (FramedConnection.sendData); its chunk is then simply never released.
 */
export function sendSourceChunk(
  conn: FramedConnection,
  ch: number,
  stream: StreamName,
  chunk: Buffer,
  source: ChunksWithRoom | null,
  interactive = false,
): void {
  if (source && !interactive && source.ownsRoom(chunk))
    conn.sendDataInPlace(ch, stream, chunk, () => source.release(chunk));
  else conn.sendData(ch, stream, chunk, interactive);
}
