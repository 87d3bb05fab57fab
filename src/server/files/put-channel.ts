import { createHash, type Hash } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { ReceiveWindow } from '../../protocol/flow-control.js';
import type { ExitReason, PutOpenMessage } from '../../protocol/messages.js';
import type { StreamName } from '../../protocol/constants.js';
import { FrameshError, ProtocolError } from '../../errors.js';
import { refuseSignal, type ServerChannel } from '../server-channel.js';
import type { FileChannelContext } from './file-channel-context.js';
import { FileError, fileErrorFrom } from './file-errors.js';
import { NOFOLLOW } from './file-root.js';
import { resolveWriteTarget } from './write-target.js';

/**
 * An upload (PROTOCOL.md §9.1). Bytes go to a partial file beside the target;
 * only when the whole file's SHA-256 matches the sender's is it synced and
 * renamed over the target, so readers see the old file or the new one, never
 * a part. An interrupted upload leaves the partial for the next one to resume.
 */
export class PutChannel implements ServerChannel {
  readonly id: number;
  private readonly request: PutOpenMessage;
  private readonly ctx: FileChannelContext;
  private readonly window: ReceiveWindow;
  private readonly startedAt = performance.now();
  private hash: Hash = createHash('sha256');
  private file: fs.FileHandle | null = null;
  private partial: { path: string; release: () => void } | null = null;
  private target = '';
  private offered = 0;
  private position = -1;
  private resumedFrom = 0;
  private writes: Promise<void> = Promise.resolve();
  private writeError: FileError | null = null;
  private ended = false;

  constructor(request: PutOpenMessage, ctx: FileChannelContext) {
    this.id = request.ch;
    this.request = request;
    this.ctx = ctx;
    this.window = new ReceiveWindow(ctx.receiveWindowBytes);
  }

  async start(): Promise<void> {
    try {
      this.target = await resolveWriteTarget(this.ctx.root, this.request);
      const claim = this.ctx.partials.claim(this.target);
      this.partial = claim;
      const resume = claim.resumable && this.request.resume !== false && this.request.size !== undefined;
      this.offered = resume ? await this.openExisting(claim.path) : 0;
      if (!this.file) this.file = await this.openFresh(claim.path);
      await this.ctx.root.verifyDescriptor(this.file.fd, this.request.path);
    } catch (err) {
      return this.fail(fileErrorFrom(err, this.request.path), false);
    }
    const prefix = this.offered > 0 ? { offset: this.offered, prefixSha256: this.hash.copy().digest('hex') } : { offset: 0 };
    this.ctx.conn.send({ type: 'opened', ch: this.id, window: this.ctx.receiveWindowBytes, ...prefix });
  }

  /** The client says where its data starts: our offered offset, or 0 to start over. */
  onSeek(offset: number): void {
    if (this.position >= 0) throw new ProtocolError('"seek" sent twice on one put channel');
    if (offset !== 0 && offset !== this.offered) throw new ProtocolError(`"seek" to ${offset}; only 0 or the offered ${this.offered} are allowed`);
    this.position = offset;
    this.resumedFrom = offset;
    if (offset === 0 && this.offered > 0) {
      this.hash = createHash('sha256');
      this.queue(async (file) => file.truncate(0));
    }
  }

  onData(stream: StreamName, body: Buffer): void {
    if (stream !== 'file') throw new ProtocolError(`a put channel carries "file" data, not ${stream}`);
    if (this.position < 0) throw new ProtocolError('put data before "seek"');
    this.window.receive(body.length);
    this.hash.update(body);
    const at = this.position;
    this.position += body.length;
    this.queue(async (file) => {
      await file.write(body, 0, body.length, at);
    }).then(() => {
      const grant = this.window.consume(body.length);
      if (grant > 0 && !this.ended) this.ctx.conn.send({ type: 'window', ch: this.id, bytes: grant });
    });
  }

  /** All data sent: verify, sync, rename into place, answer `done`. */
  async onDone(sha256: string | undefined): Promise<void> {
    if (this.position < 0) throw new ProtocolError('"done" before "seek"');
    await this.writes;
    if (this.writeError) return this.fail(this.writeError, false);
    const size = this.position;
    const actual = this.hash.digest('hex');
    if (this.request.size !== undefined && size !== this.request.size) {
      return this.fail(new FileError('SIZE_MISMATCH', `${this.request.path}: announced ${this.request.size} bytes, received ${size}`), true);
    }
    if (sha256 !== actual) {
      return this.fail(new FileError('CHECKSUM_MISMATCH', `${this.request.path}: SHA-256 of the received bytes does not match the sender's; nothing was replaced`), true);
    }
    try {
      const file = this.file as fs.FileHandle;
      if (this.request.mode !== undefined) await file.chmod(this.request.mode & 0o7777);
      if (this.request.mtimeMs !== undefined) await file.utimes(new Date(), new Date(this.request.mtimeMs));
      await file.sync();
      await file.close();
      this.file = null;
      // The target directory is checked again right before the rename (docs/SECURITY.md).
      await this.ctx.root.realDirectory(path.dirname(this.target), this.request.path);
      await fs.rename((this.partial as { path: string }).path, this.target);
    } catch (err) {
      return this.fail(fileErrorFrom(err, this.request.path), false);
    }
    this.ctx.conn.send({ type: 'done', ch: this.id, sha256: actual, size });
    this.finish('ok', actual, size);
  }

  onEof(): void {
    throw new ProtocolError('a put channel ends with "done", not "eof"');
  }

  onWindow(): void {
    // The server sends no data on a put channel; credit is meaningless but harmless.
  }

  onSignal(): void {
    refuseSignal();
  }

  terminate(reason: ExitReason): void {
    if (this.ended) return;
    this.ctx.conn.send({ type: 'error', ch: this.id, code: 'CANCELLED', message: `upload of ${this.request.path} ended: ${reason}` });
    this.finish(reason, null, this.position);
  }

  abandon(): void {
    this.finish('disconnect', null, this.position);
  }

  private async openExisting(partialPath: string): Promise<number> {
    let file: fs.FileHandle;
    try {
      file = await fs.open(partialPath, constants.O_RDWR | NOFOLLOW);
    } catch {
      return 0;
    }
    const stat = await file.stat();
    if (!stat.isFile() || stat.size > (this.request.size as number)) {
      await file.truncate(0);
      this.file = file;
      return 0;
    }
    for await (const chunk of file.createReadStream({ start: 0, autoClose: false })) this.hash.update(chunk as Buffer);
    this.file = file;
    return stat.size;
  }

  private openFresh(partialPath: string): Promise<fs.FileHandle> {
    return fs.open(partialPath, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | NOFOLLOW, 0o600);
  }

  /** Writes run one after another; the first failure is kept and reported at `done`. */
  private queue(write: (file: fs.FileHandle) => Promise<unknown>): Promise<void> {
    this.writes = this.writes.then(async () => {
      if (this.writeError || !this.file) return;
      try {
        await write(this.file);
      } catch (err) {
        this.writeError = fileErrorFrom(err, this.request.path);
      }
    });
    return this.writes;
  }

  private async fail(error: FrameshError, discardPartial: boolean): Promise<void> {
    // Damaged bytes are gone before the client hears of the failure.
    if (discardPartial && this.partial) await fs.rm(this.partial.path, { force: true }).catch(() => {});
    this.ctx.conn.send({ type: 'error', ch: this.id, code: error.code, message: error.message });
    this.finish(error.code, null, Math.max(0, this.position));
  }

  private finish(outcome: string, sha256: string | null, bytes: number): void {
    if (this.ended) return;
    this.ended = true;
    this.ctx.onEnded();
    // The partial stays claimed until the queued writes have landed: a put that resumes from it must
    // never hash a file that an interrupted put is still writing to. The audit record comes after, so
    // whoever waits for it finds the partial free.
    void this.writes.finally(async () => {
      await this.file?.close().catch(() => {});
      this.file = null;
      this.partial?.release();
      this.ctx.audit({
        remote: this.ctx.remote,
        direction: 'put',
        path: this.request.path,
        bytes: Math.max(0, bytes - this.resumedFrom),
        resumedFrom: this.resumedFrom,
        sha256,
        durationMs: performance.now() - this.startedAt,
        outcome,
      });
    });
  }
}
