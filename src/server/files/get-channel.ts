import { createHash, type Hash } from 'node:crypto';
import type { promises as fs, Stats } from 'node:fs';
import type { Readable } from 'node:stream';
import { SendWindow } from '../../protocol/flow-control.js';
import type { ExitReason, GetOpenMessage } from '../../protocol/messages.js';
import { ProtocolError } from '../../errors.js';
import { sendSourceChunk } from '../exec/chunks-with-room.js';
import { OutputPump } from '../exec/output-pump.js';
import { refuseDone, refuseResize, refuseSeek, refuseSignal, type ServerChannel } from '../server-channel.js';
import type { FileChannelContext } from './file-channel-context.js';
import { fileErrorFrom } from './file-errors.js';
import { FileChunks } from './file-chunks.js';
import { openReadSource } from './read-source.js';

/**
 * How much of the file is read at a time, ahead of the socket. 256 KiB took 20 slow readers to 145–153
 * MiB of server RSS against the 150 MB bound (soak/slow-readers); 128 KiB, 129 MiB, with the transfer
 * rate unchanged (docs/RELIABILITY.md).
 */
const READ_CHUNK_BYTES = 128 * 1024;

/**
 * A download (PROTOCOL.md §9.2): streams the file within the client's window,
 * hashing every byte, then sends `done` with the SHA-256 of the whole file.
 * With an offset and the client's prefix hash it checks the prefix and sends
 * only the rest; a prefix that does not match means starting over.
 */
export class GetChannel implements ServerChannel {
  readonly id: number;
  private readonly request: GetOpenMessage;
  private readonly ctx: FileChannelContext;
  private readonly window: SendWindow;
  private readonly startedAt = performance.now();
  private file: fs.FileHandle | null = null;
  private source: Readable | null = null;
  private pump: OutputPump | null = null;
  private start0 = 0;
  private sent = 0;
  private ended = false;

  constructor(request: GetOpenMessage, ctx: FileChannelContext) {
    this.id = request.ch;
    this.request = request;
    this.ctx = ctx;
    this.window = new SendWindow(request.window);
  }

  async start(): Promise<void> {
    let hash: Hash;
    let size: number;
    let startStat: Stats;
    try {
      const { file } = await openReadSource(this.ctx.root, this.request.path);
      this.file = file;
      const stat = await file.stat();
      startStat = stat;
      size = stat.size;
      ({ offset: this.start0, hash } = await this.verifiedStart(file, size));
      // Ended (cancel, shutdown) while opening: its one final frame is out, so nothing may follow it.
      if (this.ended) return void (await file.close().catch(() => {}));
      this.ctx.conn.send({
        type: 'opened',
        ch: this.id,
        window: 1,
        offset: this.start0,
        size,
        mode: stat.mode & 0o7777,
        mtimeMs: Math.round(stat.mtimeMs),
      });
    } catch (err) {
      if (this.ended) return;
      const error = fileErrorFrom(err, this.request.path);
      this.ctx.conn.send({ type: 'error', ch: this.id, code: error.code, message: error.message });
      return this.finish(error.code, null);
    }
    const file = this.file as fs.FileHandle;
    const chunks = new FileChunks(file, this.start0, size, READ_CHUNK_BYTES);
    this.source = chunks;
    // The pump stops reading the file while the socket is full, whatever window the client granted.
    const conn = this.ctx.conn;
    this.pump = new OutputPump(
      this.source,
      this.window,
      conn,
      (chunk) => {
        hash.update(chunk);
        this.sent += chunk.length;
        sendSourceChunk(conn, this.id, 'file', chunk, chunks);
      },
      () => conn.maxDataFrameBytes,
    );
    await this.pump.done;
    if (this.ended) return;
    if (this.start0 + this.sent !== size || (await this.changedSince(startStat))) {
      this.ctx.conn.send({
        type: 'error',
        ch: this.id,
        code: 'FILE_CHANGED',
        message: `${this.request.path} changed while it was sent`,
      });
      return this.finish('FILE_CHANGED', null);
    }
    const sha256 = hash.digest('hex');
    this.ctx.conn.send({ type: 'done', ch: this.id, sha256, size });
    this.finish('ok', sha256);
  }

  onWindow(bytes: number): void {
    this.window.grant(bytes);
    this.pump?.flush();
  }

  onData(): void {
    throw new ProtocolError('a get channel takes no data from the client');
  }

  onEof(): void {}

  onSignal(): void {
    refuseSignal();
  }

  onResize(): void {
    refuseResize();
  }

  onSeek(): void {
    refuseSeek();
  }

  onDone(): Promise<void> {
    return refuseDone();
  }

  terminate(reason: ExitReason): void {
    if (this.ended) return;
    this.ctx.conn.send({
      type: 'error',
      ch: this.id,
      code: 'CANCELLED',
      message: `download of ${this.request.path} ended: ${reason}`,
    });
    this.finish(reason, null);
  }

  abandon(): void {
    this.finish('disconnect', null);
  }

  /**
   * Where to start: the client's offset if its prefix hash matches the file's
   * first bytes (with the hash already covering them), else 0 and a fresh hash.
   */
  private async verifiedStart(file: fs.FileHandle, size: number): Promise<{ offset: number; hash: Hash }> {
    const offset = this.request.offset ?? 0;
    if (offset === 0 || !this.request.prefixSha256 || offset > size) return { offset: 0, hash: createHash('sha256') };
    const prefix = createHash('sha256');
    for await (const chunk of file.createReadStream({ start: 0, end: offset - 1, autoClose: false }))
      prefix.update(chunk as Buffer);
    if (prefix.copy().digest('hex') === this.request.prefixSha256) return { offset, hash: prefix };
    return { offset: 0, hash: createHash('sha256') };
  }

  /**
   * Growth (or a rewrite in place) while sending: size or mtime now differ from the start. The bytes
   * sent stop at the starting size, so without this a grown file would arrive truncated yet verified.
   */
  private async changedSince(start: Stats): Promise<boolean> {
    const now = await (this.file as fs.FileHandle).stat().catch(() => null);
    return !now || now.size !== start.size || now.mtimeMs !== start.mtimeMs;
  }

  private finish(outcome: string, sha256: string | null): void {
    if (this.ended) return;
    this.ended = true;
    // No data after the final frame: the pump may hold a chunk or wait for the socket to drain.
    this.pump?.discard();
    this.source?.destroy();
    void this.file?.close().catch(() => {});
    this.ctx.onEnded();
    this.ctx.audit({
      remote: this.ctx.remote,
      direction: 'get',
      path: this.request.path,
      bytes: this.sent,
      resumedFrom: this.start0,
      sha256,
      durationMs: performance.now() - this.startedAt,
      outcome,
    });
  }
}
