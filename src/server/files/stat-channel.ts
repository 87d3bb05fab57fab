import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { StatOpenMessage } from '../../protocol/messages.js';
import { AnswerChannel, toFileStat, type Answer } from './answer-channel.js';
import { FileError } from './file-errors.js';
import { expandGlob } from './glob-match.js';

/**
 * What is at a path (PROTOCOL.md §9.3), and with `list` a directory's entries
 * as a JSON array in the `done` body. Used by scp-like put/get to decide
 * "into a directory or onto a name" and to walk trees for -r.
 */
export class StatChannel extends AnswerChannel<StatOpenMessage> {
  protected async answer(): Promise<Answer> {
    const { root } = this.ctx;
    if (this.request.glob) return this.globAnswer();
    const entry = await root
      .entry(root.lexical(this.request.path), this.request.path)
      .catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
    const real = entry === null ? null : await fs.realpath(entry).catch(() => null);
    if (real !== null && !root.contains(real))
      throw new FileError('PATH_ESCAPE', `path escapes the server's file root: ${this.request.path}`);
    const stats = real === null ? null : await fs.stat(real);
    const stat = toFileStat(stats);
    if (!this.request.list || stat.type !== 'directory') return { stat };
    const entries = await Promise.all(
      (await fs.readdir(real as string)).map(async (name) => ({
        name,
        ...toFileStat(await fs.lstat(path.join(real as string, name)).catch(() => null)),
      })),
    );
    const body = Buffer.from(JSON.stringify(entries));
    if (body.length > this.ctx.conn.peerLimits.maxBodyBytes)
      throw new FileError('LIMIT', `directory too large to list in one frame: ${this.request.path}`);
    return { stat, body };
  }

  /** A pattern's matches as the `done` body, in sorted order; `stat` describes the match count only by its absence. */
  private async globAnswer(): Promise<Answer> {
    const matches = await expandGlob(this.ctx.root, this.request.path);
    const body = Buffer.from(JSON.stringify(matches));
    if (body.length > this.ctx.conn.peerLimits.maxBodyBytes)
      throw new FileError('LIMIT', `too many matches to list in one frame: ${this.request.path}`);
    return { stat: toFileStat(null), body };
  }
}
