import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ChannelOpener } from '../client-channel.js';
import { checkEntryName, checkUniqueNames, PeerNameError } from './peer-names.js';
import { statRemote } from './transfers.js';

/** One entry of a tree, relative to its top (`/`-separated for remote trees, path.sep for local ones). */
export interface TreeEntry {
  readonly rel: string;
  readonly size: number;
  /** Set for directories: their permission bits. */
  readonly dirMode?: number;
}

/** Decides whether an entry of a tree copy is taken; a directory refused takes its whole subtree with it. */
export type TreeFilter = (relativePath: string, isDirectory: boolean) => boolean;

/** Deeper than any real tree; a server that lists directories forever is stopped here. */
const MAX_REMOTE_DEPTH = 256;

/** A local tree in order: each directory before what it holds; regular files and directories only. */
export async function walkLocal(dir: string, filter: TreeFilter = () => true, prefix = ''): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  for (const name of (await fs.readdir(path.join(dir, prefix))).sort()) {
    const rel = path.join(prefix, name);
    const stat = await fs.stat(path.join(dir, rel));
    if (stat.isDirectory()) {
      if (filter(rel, true))
        out.push({ rel, size: 0, dirMode: stat.mode & 0o7777 }, ...(await walkLocal(dir, filter, rel)));
    } else if (stat.isFile() && filter(rel, false)) {
      out.push({ rel, size: stat.size });
    }
  }
  return out;
}

/**
 * The same walk on the server, through stat listings. Every name the server lists is checked to be one
 * path component of the directory asked for (docs/SECURITY.md, "What a hostile server can do").
 */
export async function walkRemote(
  client: ChannelOpener,
  root: string,
  filter: TreeFilter = () => true,
  prefix = '',
  depth = 0,
): Promise<TreeEntry[]> {
  const listed = path.posix.join(root, prefix) || '.';
  if (depth > MAX_REMOTE_DEPTH)
    throw new PeerNameError(`the server's tree under ${root} is deeper than ${MAX_REMOTE_DEPTH} levels`);
  const listing = await statRemote(client, listed, true);
  if (listing.type !== 'directory') throw new PeerNameError(`${listed} stopped being a directory while it was listed`);
  const entries = [...(listing.entries ?? [])];
  checkUniqueNames(
    entries.map((entry) => checkEntryName(entry.name, listed)),
    listed,
  );
  const out: TreeEntry[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.type === 'directory') {
      if (filter(rel, true))
        out.push({ rel, size: 0, dirMode: entry.mode }, ...(await walkRemote(client, root, filter, rel, depth + 1)));
    } else if (entry.type === 'file' && filter(rel, false)) {
      out.push({ rel, size: entry.size });
    }
  }
  return out;
}
