/**
 * scp's rules for which file goes where, for put and get (the CLI's single-host and fan-out transfers share
 * them): a plan is a list of files and directories, made before any byte moves.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { FrameshClient } from '../client.js';
import { FrameshError } from '../../errors.js';
import { walkLocal, walkRemote, type TreeEntry } from './tree-walk.js';

/** One file to move (where from, where to, its size for progress), or a directory of a -r tree to make. */
export interface PlannedFile {
  readonly from: string;
  readonly to: string;
  readonly size: number;
  /** Parent directories must be created on arrival (part of a -r tree). */
  readonly inTree: boolean;
  /** A directory to make at `to` with the source's `mode`, so empty ones arrive too (as scp -r does). */
  readonly directory?: { readonly mode: number };
}

/** A transfer that cannot be planned: a missing source, a directory without -r, several sources to a file. */
export class PlanError extends FrameshError {
  declare readonly code: 'TRANSFER_PLAN';
  constructor(message: string) {
    super('TRANSFER_PLAN', message);
  }
}

/**
 * scp's rules for put: a file to an existing remote directory keeps its name;
 * several sources need a directory; -r copies a tree into DEST/NAME when DEST
 * is a directory, or as DEST when it does not exist yet.
 */
export async function planPut(
  client: FrameshClient,
  sources: string[],
  dest: string,
  recursive: boolean,
): Promise<PlannedFile[]> {
  const destIsDir = (await client.stat(dest)).type === 'directory';
  if (sources.length > 1 && !destIsDir)
    throw new PlanError(`${dest}: not a directory on the server (needed for several sources)`);
  const plan: PlannedFile[] = [];
  for (const source of sources) {
    const stat = await fs.stat(source).catch(() => null);
    if (!stat) throw new PlanError(`${source}: no such file or directory`);
    if (stat.isDirectory()) {
      if (!recursive) throw new PlanError(`${source}: is a directory (use -r)`);
      const base = destIsDir ? path.posix.join(dest, path.basename(path.resolve(source))) : dest;
      plan.push({ from: source, to: base, size: 0, inTree: true, directory: { mode: stat.mode & 0o7777 } });
      for (const entry of await walkLocal(source)) {
        plan.push(planned(path.join(source, entry.rel), path.posix.join(base, ...entry.rel.split(path.sep)), entry));
      }
    } else {
      plan.push({
        from: source,
        to: destIsDir ? path.posix.join(dest, path.basename(source)) : dest,
        size: stat.size,
        inTree: false,
      });
    }
  }
  return plan;
}

/** The mirror for get: remote trees are walked with stat listings; local directories are made as needed. */
export async function planGet(
  client: FrameshClient,
  sources: string[],
  dest: string,
  recursive: boolean,
): Promise<PlannedFile[]> {
  const destIsDir = (await fs.stat(dest).catch(() => null))?.isDirectory() ?? false;
  if (sources.length > 1 && !destIsDir) throw new PlanError(`${dest}: not a directory (needed for several sources)`);
  const plan: PlannedFile[] = [];
  for (const source of sources) {
    const stat = await client.stat(source);
    if (stat.type === 'none') throw new PlanError(`${source}: no such file or directory on the server`);
    if (stat.type === 'directory') {
      if (!recursive) throw new PlanError(`${source}: is a directory (use -r)`);
      const base = destIsDir ? path.join(dest, path.posix.basename(source)) : dest;
      plan.push({ from: source, to: base, size: 0, inTree: true, directory: { mode: stat.mode } });
      for (const entry of await walkRemote(client, source)) {
        plan.push(planned(path.posix.join(source, entry.rel), path.join(base, ...entry.rel.split('/')), entry));
      }
    } else {
      plan.push({
        from: source,
        to: destIsDir ? path.join(dest, path.posix.basename(source)) : dest,
        size: stat.size,
        inTree: false,
      });
    }
  }
  return plan;
}

function planned(from: string, to: string, entry: TreeEntry): PlannedFile {
  return {
    from,
    to,
    size: entry.size,
    inTree: true,
    ...(entry.dirMode !== undefined && { directory: { mode: entry.dirMode } }),
  };
}
