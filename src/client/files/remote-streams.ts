import { createHash } from 'node:crypto';
import { PassThrough, Transform, Writable, type Readable } from 'node:stream';
import { LocalFileError } from '../../errors.js';
import type { OpenMessage } from '../../protocol/messages.js';
import type { ChannelOpener } from '../client-channel.js';
import { FileCall } from './file-call.js';

/**
 * The stream forms of put and get (`client.createWriteStream`, `createReadStream`), apart from
 * transfers.ts: they return a stream at once, so the client loads them up front, while the file forms
 * (put, get, stat, …), which return promises, load on first use.
 */

export const DEFAULT_GET_WINDOW_BYTES = 8 * 1024 * 1024;

export function openFile(client: ChannelOpener, windowBytes: number, open: (ch: number) => OpenMessage): FileCall {
  return client.openChannel((ch, link) => new FileCall(ch, link, windowBytes), open);
}

/** A Writable that uploads to `remotePath`; it finishes once the server verified and renamed the file. */
export function remoteWriteStream(
  client: ChannelOpener,
  remotePath: string,
  options: { mode?: number; mkdirs?: boolean } = {},
): Writable {
  const call = openFile(client, 1024, (ch) => ({
    type: 'open',
    ch,
    kind: 'put',
    path: remotePath,
    resume: false,
    ...(options.mode !== undefined && { mode: options.mode }),
    ...(options.mkdirs && { mkdirs: true }),
    window: 1024,
  }));
  const hash = createHash('sha256');
  // Holds written bytes (bounded by its highWaterMark) until the server has opened the channel.
  const hashing = new PassThrough();
  call.opened.then(
    () => {
      call.seek(0, () => hash.digest('hex'));
      hashing.pipe(call.input);
    },
    (err: Error) => hashing.destroy(err),
  );
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      if (hashing.write(chunk)) callback();
      else hashing.once('drain', () => callback());
    },
    final(callback) {
      hashing.end();
      call.result.then(
        () => callback(),
        (err: Error) => callback(err),
      );
    },
    destroy(err, callback) {
      if (err) call.cancel();
      callback(err);
    },
  });
  return stream;
}

/** A Readable of the remote file; it errors with CHECKSUM_MISMATCH if the bytes do not verify. */
export function remoteReadStream(
  client: ChannelOpener,
  remotePath: string,
  options: { windowBytes?: number } = {},
): Readable {
  const windowBytes = options.windowBytes ?? DEFAULT_GET_WINDOW_BYTES;
  const call = openFile(client, windowBytes, (ch) => ({
    type: 'open',
    ch,
    kind: 'get',
    path: remotePath,
    window: windowBytes,
  }));
  const hash = createHash('sha256');
  const verified = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      call.result.then(
        ({ done }) =>
          callback(
            done.sha256 === hash.digest('hex')
              ? null
              : new LocalFileError('CHECKSUM_MISMATCH', `${remotePath}: SHA-256 does not match the server's`),
          ),
        (err: Error) => callback(err),
      );
    },
  });
  call.opened.catch((err: Error) => verified.destroy(err));
  call.output.pipe(verified);
  return verified;
}
