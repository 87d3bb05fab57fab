import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import type { FileStat, StatOpenMessage } from '../../protocol/messages.js';
import { ProtocolError } from '../../errors.js';
import type { ServerChannel } from '../server-channel.js';
import type { FileChannelContext } from './file-channel-context.js';
import { fileErrorFrom, FileError } from './file-errors.js';

/**
 * What is at a path (PROTOCOL.md §9.3), and with `list` a directory's entries
 * as a JSON array in the `done` body. Used by scp-like put/get to decide
 * "into a directory or onto a name" and to walk trees for -r.
 */
export class StatChannel implements ServerChannel {
  readonly id: number;
  private readonly request: StatOpenMessage;
  private readonly ctx: FileChannelContext;

  constructor(request: StatOpenMessage, ctx: FileChannelContext) {
    this.id = request.ch;
    this.request = request;
    this.ctx = ctx;
  }

  async start(): Promise<void> {
    try {
      const { root } = this.ctx;
      const entry = await root.entry(root.lexical(this.request.path), this.request.path).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
      const real = entry === null ? null : await fs.realpath(entry).catch(() => null);
      if (real !== null && !root.contains(real)) throw new FileError('PATH_ESCAPE', `path escapes the server's file root: ${this.request.path}`);
      const stats = real === null ? null : await fs.stat(real);
      const stat = toFileStat(stats);
      let body: Buffer | undefined;
      if (this.request.list && stat.type === 'directory') {
        const entries = await Promise.all(
          (await fs.readdir(real as string)).map(async (name) => ({ name, ...toFileStat(await fs.lstat(path.join(real as string, name)).catch(() => null)) })),
        );
        body = Buffer.from(JSON.stringify(entries));
        if (body.length > this.ctx.conn.peerLimits.maxBodyBytes) throw new FileError('LIMIT', `directory too large to list in one frame: ${this.request.path}`);
      }
      this.ctx.conn.send({ type: 'done', ch: this.id, stat }, body);
    } catch (err) {
      const error = fileErrorFrom(err, this.request.path);
      this.ctx.conn.send({ type: 'error', ch: this.id, code: error.code, message: error.message });
    }
    this.ctx.onEnded();
  }

  onData(): void {
    throw new ProtocolError('a stat channel takes no data');
  }
  onEof(): void {}
  onWindow(): void {}
  onSignal(): void {
    throw new ProtocolError('signals apply to exec channels only');
  }
  terminate(): void {}
  abandon(): void {}
}

function toFileStat(stats: Stats | null): FileStat {
  if (!stats) return { type: 'none', size: 0, mode: 0, mtimeMs: 0 };
  const type = stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';
  return { type, size: stats.size, mode: stats.mode & 0o7777, mtimeMs: Math.round(stats.mtimeMs) };
}
