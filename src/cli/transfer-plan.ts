import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { FrameshClient } from '../client/client.js';
import { checkEntryName, checkUniqueNames, PeerNameError } from '../client/files/peer-names.js';

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

interface TreeEntry {
  readonly rel: string;
  readonly size: number;
  /** Set for directories: their permission bits. */
  readonly dirMode?: number;
}

export class PlanError extends Error {}

/**
 * scp's rules for put: a file to an existing remote directory keeps its name;
 * several sources need a directory; -r copies a tree into DEST/NAME when DEST
 * is a directory, or as DEST when it does not exist yet.
 */
export async function planPut(client: FrameshClient, sources: string[], dest: string, recursive: boolean): Promise<PlannedFile[]> {
  const destIsDir = (await client.stat(dest)).type === 'directory';
  if (sources.length > 1 && !destIsDir) throw new PlanError(`${dest}: not a directory on the server (needed for several sources)`);
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
      plan.push({ from: source, to: destIsDir ? path.posix.join(dest, path.basename(source)) : dest, size: stat.size, inTree: false });
    }
  }
  return plan;
}

/** The mirror for get: remote trees are walked with stat listings; local directories are made as needed. */
export async function planGet(client: FrameshClient, sources: string[], dest: string, recursive: boolean): Promise<PlannedFile[]> {
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
      for (const entry of await walkRemote(client, source, '')) {
        plan.push(planned(path.posix.join(source, entry.rel), path.join(base, ...entry.rel.split('/')), entry));
      }
    } else {
      plan.push({ from: source, to: destIsDir ? path.join(dest, path.posix.basename(source)) : dest, size: stat.size, inTree: false });
    }
  }
  return plan;
}

function planned(from: string, to: string, entry: TreeEntry): PlannedFile {
  return { from, to, size: entry.size, inTree: true, ...(entry.dirMode !== undefined && { directory: { mode: entry.dirMode } }) };
}

/** A local tree in order: each directory before what it holds; regular files and directories only. */
async function walkLocal(dir: string, prefix = ''): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  for (const name of (await fs.readdir(path.join(dir, prefix))).sort()) {
    const rel = path.join(prefix, name);
    const stat = await fs.stat(path.join(dir, rel));
    if (stat.isDirectory()) out.push({ rel, size: 0, dirMode: stat.mode & 0o7777 }, ...(await walkLocal(dir, rel)));
    else if (stat.isFile()) out.push({ rel, size: stat.size });
  }
  return out;
}

/** Deeper than any real tree; a server that lists directories forever is stopped here. */
const MAX_REMOTE_DEPTH = 256;

/**
 * The same walk on the server, through stat listings. Every name the server lists is checked to be one
 * path component of the directory asked for (docs/SECURITY.md, "What a hostile server can do").
 */
async function walkRemote(client: FrameshClient, root: string, prefix: string, depth = 0): Promise<TreeEntry[]> {
  const listed = path.posix.join(root, prefix) || '.';
  if (depth > MAX_REMOTE_DEPTH) throw new PeerNameError(`the server's tree under ${root} is deeper than ${MAX_REMOTE_DEPTH} levels`);
  const listing = await client.stat(listed, { list: true });
  if (listing.type !== 'directory') throw new PeerNameError(`${listed} stopped being a directory while it was listed`);
  const entries = [...(listing.entries ?? [])];
  checkUniqueNames(entries.map((entry) => checkEntryName(entry.name, listed)), listed);
  const out: TreeEntry[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.type === 'directory') out.push({ rel, size: 0, dirMode: entry.mode }, ...(await walkRemote(client, root, rel, depth + 1)));
    else if (entry.type === 'file') out.push({ rel, size: entry.size });
  }
  return out;
}
