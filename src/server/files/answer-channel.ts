import type { Stats } from 'node:fs';
import type { FileStat, OpenMessage } from '../../protocol/messages.js';
import { ProtocolError } from '../../errors.js';
import { refuseDone, refuseSeek, refuseSignal, type ServerChannel } from '../server-channel.js';
import type { FileChannelContext } from './file-channel-context.js';
import { fileErrorFrom } from './file-errors.js';

/** What a one-shot file channel answers with: `done` carrying `stat`, and an optional body. */
export interface Answer {
  readonly stat: FileStat;
  readonly body?: Buffer;
}

/**
 * A file channel that takes no data and answers once (stat, mkdir): the
 * `done` frame, or an `error` frame with the file error's code.
 */
export abstract class AnswerChannel<Request extends OpenMessage & { readonly path: string }> implements ServerChannel {
  readonly id: number;
  protected readonly request: Request;
  protected readonly ctx: FileChannelContext;

  constructor(request: Request, ctx: FileChannelContext) {
    this.id = request.ch;
    this.request = request;
    this.ctx = ctx;
  }

  /** Works out the answer; a thrown error goes to the client as an `error` frame. */
  protected abstract answer(): Promise<Answer>;

  async start(): Promise<void> {
    try {
      const { stat, body } = await this.answer();
      this.ctx.conn.send({ type: 'done', ch: this.id, stat }, body);
    } catch (err) {
      const error = fileErrorFrom(err, this.request.path);
      this.ctx.conn.send({ type: 'error', ch: this.id, code: error.code, message: error.message });
    }
    this.ctx.onEnded();
  }

  onData(): void {
    throw new ProtocolError(`a ${this.request.kind} channel takes no data`);
  }
  onEof(): void {}
  onWindow(): void {}
  onSignal(): void {
    refuseSignal();
  }

  onSeek(): void {
    refuseSeek();
  }

  onDone(): Promise<void> {
    return refuseDone();
  }
  terminate(): void {}
  abandon(): void {}
}

/** The wire form of a file's type, size, permission bits and modification time; `none` for nothing. */
export function toFileStat(stats: Stats | null): FileStat {
  if (!stats) return { type: 'none', size: 0, mode: 0, mtimeMs: 0 };
  const type = stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';
  return { type, size: stats.size, mode: stats.mode & 0o7777, mtimeMs: Math.round(stats.mtimeMs) };
}
