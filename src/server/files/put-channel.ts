import { createHash, type Hash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ReceiveWindow } from '../../protocol/flow-control.js';
import type { ExitReason, PutOpenMessage } from '../../protocol/messages.js';
import type { StreamName } from '../../protocol/constants.js';
import { type FrameshError, ProtocolError } from '../../errors.js';
import { refuseResize, refuseSignal, type ServerChannel } from '../server-channel.js';
import type { FileChannelContext } from './file-channel-context.js';
import { FileError, fileErrorFrom } from './file-errors.js';
import { createPartial, openResumablePartial, removeOwned, stillOwned, type OwnedPartial } from './partial-open.js';
import { VerifiedDir } from './verified-dir.js';
import { resolveWriteTarget } from './write-target.js';
import { writeAll } from './write-all.js';

/**
 * An upload (PROTOCOL.md §9.1). Bytes go to a partial file beside the target;
 * only when the SHA-256 of the file on disk matches the sender's is it synced and
 * renamed over the target, so readers see the old file or the new one, never
 * a part. An interrupted upload leaves its resumable partial for the next one
 * (until the stale-partial sweep expires it); a failed one leaves nothing.
 */
export class PutChannel implements ServerChannel {
  readonly id: number;
  private readonly request: PutOpenMessage;
  private readonly ctx: FileChannelContext;
  private readonly window: ReceiveWindow;
  private readonly startedAt = performance.now();
  private owned: OwnedPartial | null = null;
  private partial: { path: string; resumable: boolean; release: () => void } | null = null;
  private target = '';
  private shownTarget = '';
  /** The target's directory, held open; every partial and rename operation goes through it. */
  private dir: VerifiedDir | null = null;
  private offered = 0;
  private offeredHash: Hash | null = null;
  private isOpened = false;
  private position = -1;
  private resumedFrom = 0;
  private writes: Promise<void> = Promise.resolve();
  /** True until start() is past its awaits: what it holds is then start()'s to give back, not finish()'s. */
  private opening = true;
  /** The partial was made by this open (it holds no bytes from an earlier try). */
  private createdPartial = false;
  /** The audit record of a put that ended while opening, written once endWhileOpening() gave all back. */
  private auditAfterOpening: (() => void) | null = null;
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
      ({ target: this.target, shown: this.shownTarget } = await resolveWriteTarget(this.ctx.root, this.request));
      this.dir = await VerifiedDir.open(this.ctx.root, path.dirname(this.target), this.request.path);
      if (this.ended) return await this.endWhileOpening();
      this.partial = this.ctx.partials.claim(this.target);
      const resume = this.partial.resumable && this.request.resume !== false && this.request.size !== undefined;
      if (resume) await this.openExisting(this.partialEntry());
      if (!this.owned) {
        this.owned = await createPartial(this.partialEntry());
        this.createdPartial = true;
      }
      await this.ctx.root.verifyDescriptor(this.owned.file.fd, this.request.path);
    } catch (err) {
      if (this.ended) return await this.endWhileOpening();
      this.opening = false;
      // Nothing is left behind by a refused path: a partial made here is removed again.
      return this.fail(fileErrorFrom(err, this.request.path), true);
    }
    if (this.ended) return await this.endWhileOpening();
    this.opening = false;
    const prefix =
      this.offered > 0
        ? { offset: this.offered, prefixSha256: (this.offeredHash as Hash).digest('hex') }
        : { offset: 0 };
    this.isOpened = true;
    this.ctx.conn.send({ type: 'opened', ch: this.id, window: this.ctx.receiveWindowBytes, ...prefix });
  }

  /** The client says where its data starts: our offered offset, or 0 to start over. */
  onResize(): void {
    refuseResize();
  }

  onSeek(offset: number): void {
    // Before `opened` the client knows neither the offset nor its window; what it sent cannot be right.
    if (!this.isOpened) throw new ProtocolError('"seek" before "opened" on a put channel');
    if (this.position >= 0) throw new ProtocolError('"seek" sent twice on one put channel');
    if (offset !== 0 && offset !== this.offered)
      throw new ProtocolError(`"seek" to ${offset}; only 0 or the offered ${this.offered} are allowed`);
    this.position = offset;
    this.resumedFrom = offset;
    if (offset === 0 && this.offered > 0) this.queue(async (file) => file.truncate(0));
  }

  onData(stream: StreamName, body: Buffer): void {
    if (stream !== 'file') throw new ProtocolError(`a put channel carries "file" data, not ${stream}`);
    if (!this.isOpened) throw new ProtocolError('put data before "opened"');
    if (this.position < 0) throw new ProtocolError('put data before "seek"');
    this.window.receive(body.length);
    const at = this.position;
    this.position += body.length;
    this.queue((file) => writeAll(file, body, at)).then(() => {
      const grant = this.window.consume(body.length);
      if (grant > 0 && !this.ended) this.ctx.conn.send({ type: 'window', ch: this.id, bytes: grant });
    });
  }

  /** All data sent: verify the bytes on disk, sync, rename into place, answer `done`. */
  async onDone(sha256: string | undefined): Promise<void> {
    if (!this.isOpened) throw new ProtocolError('"done" before "opened" on a put channel');
    if (this.position < 0) throw new ProtocolError('"done" before "seek"');
    if (this.ended) return;
    await this.writes;
    // A write that failed (ENOSPC most often) leaves a partial that cannot be trusted: it goes.
    if (this.writeError) return this.fail(this.writeError, true);
    const owned = this.owned as OwnedPartial;
    const partialPath = this.partialEntry();
    let actual: string;
    let size: number;
    try {
      // The hash covers the file that will be renamed into place, read back through our own
      // descriptor — not the bytes we meant to write (issue 9, defect 6).
      ({ sha256: actual, size } = await hashDescriptor(owned.file));
    } catch (err) {
      return this.fail(fileErrorFrom(err, this.request.path), true);
    }
    if (size !== this.position || (this.request.size !== undefined && size !== this.request.size)) {
      const expected = this.request.size ?? this.position;
      return this.fail(
        new FileError('SIZE_MISMATCH', `${this.request.path}: announced ${expected} bytes, stored ${size}`),
        true,
      );
    }
    if (sha256 !== actual) {
      return this.fail(
        new FileError(
          'CHECKSUM_MISMATCH',
          `${this.request.path}: SHA-256 of the stored bytes does not match the sender's; nothing was replaced`,
        ),
        true,
      );
    }
    try {
      // Permission bits only: a client never makes a setuid, setgid or sticky file on the server.
      if (this.request.mode !== undefined) await owned.file.chmod(this.request.mode & 0o777);
      if (this.request.mtimeMs !== undefined) await owned.file.utimes(new Date(), new Date(this.request.mtimeMs));
      await owned.file.sync();
      // The target directory is checked again right before the rename (docs/SECURITY.md), and the
      // partial's name must still lead to the file whose bytes were verified, with no other link.
      await this.ctx.root.realDirectory(path.dirname(this.target), this.request.path);
      await stillOwned(partialPath, owned);
      // Both ends in the directory we hold: neither can be redirected by a link swapped in above it.
      await fs.rename(partialPath, (this.dir as VerifiedDir).entry(path.basename(this.target)));
    } catch (err) {
      return this.fail(fileErrorFrom(err, this.request.path), true);
    }
    this.ctx.conn.send({ type: 'done', ch: this.id, sha256: actual, size, path: this.shownTarget });
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
    this.ctx.conn.send({
      type: 'error',
      ch: this.id,
      code: 'CANCELLED',
      message: `upload of ${this.request.path} ended: ${reason}`,
    });
    this.finish(reason, null, this.position);
  }

  abandon(): void {
    this.finish('disconnect', null, this.position);
  }

  /** Resumes from a partial of an interrupted upload when it is a plain file no longer than this one. */
  private async openExisting(partialPath: string): Promise<void> {
    const owned = await openResumablePartial(partialPath);
    if (!owned) return;
    this.owned = owned;
    const stat = await owned.file.stat();
    if (stat.size > (this.request.size as number)) {
      await owned.file.truncate(0);
      return;
    }
    this.offeredHash = (await hashDescriptor(owned.file)).hash;
    this.offered = stat.size;
  }

  /** Writes run one after another; the first failure is kept and reported at `done`. */
  private queue(write: (file: fs.FileHandle) => Promise<unknown>): Promise<void> {
    this.writes = this.writes.then(async () => {
      if (this.writeError || !this.owned) return;
      try {
        await write(this.owned.file);
      } catch (err) {
        this.writeError = fileErrorFrom(err, this.request.path);
      }
    });
    return this.writes;
  }

  private async fail(error: FrameshError, discardPartial: boolean): Promise<void> {
    if (this.ended) return;
    // Damaged bytes are gone before the client hears of the failure.
    if (discardPartial) await this.discard();
    this.ctx.conn.send({ type: 'error', ch: this.id, code: error.code, message: error.message });
    this.finish(error.code, null, Math.max(0, this.position));
  }

  /** Removes our partial (only if its name still leads to our file: never someone else's). */
  private async discard(): Promise<void> {
    if (this.owned && this.partial && this.dir) await removeOwned(this.partialEntry(), this.owned);
  }

  /** The partial's name as reached through the held directory. */
  private partialEntry(): string {
    return (this.dir as VerifiedDir).entry(path.basename((this.partial as { path: string }).path));
  }

  private finish(outcome: string, sha256: string | null, bytes: number): void {
    if (this.ended) return;
    this.ended = true;
    this.ctx.onEnded();
    // The partial stays claimed until the queued writes have landed: a put that resumes from it must
    // never hash a file that an interrupted put is still writing to. The audit record comes after, so
    // whoever waits for it finds the partial free.
    void this.writes.finally(async () => {
      // Ended while start() is still opening: start() gives back what it holds (endWhileOpening).
      if (this.opening) {
        this.auditAfterOpening = () => this.auditEnd(outcome, sha256, bytes);
        return;
      }
      // A private partial (a concurrent put to the same target) is never resumed: it goes now.
      if (outcome !== 'ok' && this.partial && !this.partial.resumable) await this.discard();
      await this.releaseHeld();
      this.auditEnd(outcome, sha256, bytes);
    });
  }

  private auditEnd(outcome: string, sha256: string | null, bytes: number): void {
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
  }

  /** Closes the partial's descriptor and the held directory, then frees the partial's name. */
  private async releaseHeld(): Promise<void> {
    await this.owned?.file.close().catch(() => {});
    this.owned = null;
    await this.dir?.close().catch(() => {});
    this.dir = null;
    this.partial?.release();
  }

  /**
   * Ended (cancel, disconnect, shutdown) while start() was still opening: its one final frame is out, so
   * no `opened` follows, and what start() took after finish() ran is given back here. A partial this
   * open made holds none of the client's bytes and goes (a client that opens puts and hangs up at once
   * left one private partial each: 258 000 files from one flood); a resumed one keeps its bytes.
   */
  private async endWhileOpening(): Promise<void> {
    this.opening = false;
    if (this.owned && this.createdPartial && this.dir && this.partial)
      await removeOwned(this.partialEntry(), this.owned);
    await this.releaseHeld();
    // finish() queued it behind the writes, which are none before `opened`: it is there by now.
    await this.writes;
    this.auditAfterOpening?.();
    this.auditAfterOpening = null;
  }
}

/** How much of a partial one read-back takes; two such buffers are all a read-back holds. */
const READ_BACK_BYTES = 1024 * 1024;

/**
 * SHA-256 and size of everything in an open file, read through its descriptor. The next read is in
 * flight while the last one is hashed, and both reads land in the same two buffers: a read stream
 * hashed one chunk after another, each a fresh 1 MiB buffer, left the disk idle during every hash and
 * the collector busy with a GiB of garbage per GiB read back.
 */
async function hashDescriptor(file: fs.FileHandle): Promise<{ hash: Hash; sha256: string; size: number }> {
  const hash = createHash('sha256');
  const buffers = [Buffer.allocUnsafe(READ_BACK_BYTES), Buffer.allocUnsafe(READ_BACK_BYTES)];
  let size = 0;
  let next = file.read(buffers[0] as Buffer, 0, READ_BACK_BYTES, 0);
  for (let turn = 1; ; turn++) {
    const { bytesRead, buffer } = await next;
    if (bytesRead === 0) break;
    size += bytesRead;
    next = file.read(buffers[turn % 2] as Buffer, 0, READ_BACK_BYTES, size);
    hash.update(buffer.subarray(0, bytesRead));
  }
  return { hash, sha256: hash.copy().digest('hex'), size };
}
