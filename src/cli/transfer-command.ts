import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import type { FrameshClient } from '../client/client.js';
import { addConnectionOptions, connectFromFlags, type ConnectionFlags } from './connection-options.js';
import { describeError, EXIT_CLIENT_FAILURE } from './exit-status.js';
import { localMode } from '../client/files/peer-names.js';
import { progressView } from './progress.js';
import { parseRemotePath, requireRemotePath, type RemotePath } from './remote-path.js';
import { planGet, planPut, PlanError, type PlannedFile } from './transfer-plan.js';

interface TransferFlags extends ConnectionFlags {
  recursive?: boolean;
  preserve?: boolean;
  quiet?: boolean;
  resume: boolean;
}

/** `framesh put` and `framesh get`: one file at a time over one connection, scp's rules for names. */
export function transferCommand(direction: 'put' | 'get'): Command {
  const command = new Command(direction)
    .description(direction === 'put' ? 'copy local files to a server (scp-like)' : 'copy files from a server (scp-like)')
    .argument('<paths...>', direction === 'put' ? 'LOCAL... HOST[:PORT]:REMOTE' : 'HOST[:PORT]:REMOTE... LOCAL')
    .option('-r, --recursive', 'copy directory trees (directories and regular files; other special files are skipped)')
    .option('-p, --preserve', 'keep modification times and exact permission bits (otherwise the mode less the umask)')
    .option('-q, --quiet', 'no progress bars')
    .option('--no-resume', 'start over instead of continuing an interrupted transfer')
    .addHelpText(
      'after',
      direction === 'put'
        ? '\nRemote paths are under the server\'s file root (serve --root). Example: framesh put -r site/ web1:/srv/www'
        : '\nExample: framesh get web1:logs/app.log web1:logs/db.log ./logs/',
    )
    .action(async (paths: string[], flags: TransferFlags) => {
      process.exitCode = await runTransfer(direction, paths, flags, command);
    });
  return addConnectionOptions(command);
}

async function runTransfer(direction: 'put' | 'get', paths: string[], flags: TransferFlags, command: Command): Promise<number> {
  if (paths.length < 2) command.error(`error: ${direction} needs at least one source and a destination`);
  const sources = paths.slice(0, -1);
  const dest = paths.at(-1) as string;
  let remote: RemotePath;
  let remoteSources: string[] = [];
  let globbed = false;
  try {
    if (direction === 'put') {
      remote = requireRemotePath(dest);
    } else {
      const parsed = sources.map(requireRemotePath);
      remote = parsed[0] as RemotePath;
      if (parsed.some((p) => p.host !== remote.host || p.port !== remote.port)) throw new PlanError('all sources must be on one server');
      if (parseRemotePath(dest)) throw new PlanError('the destination of get is a local path');
      remoteSources = parsed.map((p) => p.path);
      globbed = remoteSources.some(hasRemoteGlob);
    }
  } catch (err) {
    process.stderr.write(`framesh: ${(err as Error).message}\n`);
    return 2;
  }
  let client: FrameshClient;
  try {
    client = await connectFromFlags(remote, flags);
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    return EXIT_CLIENT_FAILURE;
  }
  try {
    // Remote patterns (host:'logs/*.log') expand on the server, within its root, as scp's remote shell would.
    if (globbed) remoteSources = await expandRemoteSources(client, remoteSources);
    const plan = direction === 'put' ? await planPut(client, sources, remote.path, flags.recursive ?? false) : await planGet(client, remoteSources, dest, flags.recursive ?? false);
    return await copyAll(client, direction, plan, flags);
  } catch (err) {
    process.stderr.write(err instanceof PlanError ? `framesh: ${err.message}\n` : `${describeError(err)}\n`);
    return 1;
  } finally {
    await client.close();
  }
}

/** A remote source with `*`, `?` or `[` is a pattern; quote it (host:'logs/*.log') so the local shell leaves it alone. */
function hasRemoteGlob(source: string): boolean {
  return /[*?[]/.test(source);
}

async function expandRemoteSources(client: FrameshClient, sources: string[]): Promise<string[]> {
  const expanded: string[] = [];
  for (const source of sources) {
    if (!hasRemoteGlob(source)) {
      expanded.push(source);
      continue;
    }
    const matches = await client.glob(source);
    // A name that merely contains a glob character (report[1].txt) still works when nothing matches it.
    if (matches.length === 0 && (await client.stat(source)).type !== 'none') matches.push({ path: source, ...(await client.stat(source)) });
    if (matches.length === 0) throw new PlanError(`${source}: no match on the server`);
    expanded.push(...matches.map((m) => m.path));
  }
  return expanded;
}

/** Copies each planned file (and makes each planned directory); a failure is reported with its path and the others still go (as scp does). */
async function copyAll(client: FrameshClient, direction: 'put' | 'get', plan: PlannedFile[], flags: TransferFlags): Promise<number> {
  const view = progressView(flags.quiet ?? false, plan.reduce((sum, f) => sum + f.size, 0), plan.filter((f) => !f.directory).length);
  let failures = 0;
  for (const file of plan) {
    try {
      if (file.directory) {
        await makeDirectory(client, direction, file.to, file.directory.mode, flags.preserve ?? false);
        continue;
      }
      const options = { resume: flags.resume, preserve: flags.preserve ?? false, mkdirs: file.inTree, onProgress: view.file(path.basename(file.to), file.size) };
      if (direction === 'put') {
        await client.put(file.from, file.to, options);
      } else {
        if (file.inTree) await fs.mkdir(path.dirname(file.to), { recursive: true });
        await client.get(file.from, file.to, options);
      }
    } catch (err) {
      failures += 1;
      view.stop();
      process.stderr.write(`${describeError(err)}\n`);
      if (client.closed) break;
    }
  }
  view.stop();
  return failures === 0 ? 0 : 1;
}

/**
 * A directory of a -r tree, made at the destination with the source's mode (less the umask, and never
 * setuid, setgid or sticky from the server). As scp does, the owner can always write it, so the tree's
 * own files still go in.
 */
async function makeDirectory(client: FrameshClient, direction: 'put' | 'get', to: string, sourceMode: number, preserve: boolean): Promise<void> {
  if (direction === 'put') await client.mkdir(to, { mode: (sourceMode & 0o777) | 0o700 });
  else await fs.mkdir(to, { recursive: true, mode: localMode(sourceMode, preserve) | 0o700 });
}
