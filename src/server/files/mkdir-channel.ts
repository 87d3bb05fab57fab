import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { MkdirOpenMessage } from '../../protocol/messages.js';
import { AnswerChannel, toFileStat, type Answer } from './answer-channel.js';
import { FileError } from './file-errors.js';
import { VerifiedDir } from './verified-dir.js';
import { makeParents, refuseReservedName } from './write-target.js';

/** Default permission bits of a directory made for a client (before the umask), as `mkdir` uses. */
const DEFAULT_DIRECTORY_MODE = 0o755;

/**
 * `mkdir -p` inside the root (PROTOCOL.md §9.4), for trees copied with
 * `put -r`, empty directories included. An existing directory is fine; a
 * file in the way is `ENOTDIR`; the result must resolve inside the root.
 */
export class MkdirChannel extends AnswerChannel<MkdirOpenMessage> {
  protected async answer(): Promise<Answer> {
    const { root } = this.ctx;
    const lexical = root.lexical(this.request.path);
    refuseReservedName(lexical, this.request.path);
    if (lexical === root.real) return { stat: toFileStat(await fs.stat(root.real)) };
    await makeParents(root, path.dirname(lexical), this.request.path);
    const dir = await root.entry(lexical, this.request.path);
    // Made through the verified parent's descriptor: a parent swapped for a link meanwhile is not followed.
    const parent = await VerifiedDir.open(root, path.dirname(dir), this.request.path);
    try {
      await fs.mkdir(parent.entry(path.basename(dir)), { mode: (this.request.mode ?? DEFAULT_DIRECTORY_MODE) & 0o777 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await parent.close();
    }
    // An existing link is followed only to a directory inside the root.
    const stats = await fs.stat(await root.realDirectory(dir, this.request.path));
    if (!stats.isDirectory()) throw new FileError('ENOTDIR', `not a directory: ${this.request.path}`);
    return { stat: toFileStat(stats) };
  }
}
