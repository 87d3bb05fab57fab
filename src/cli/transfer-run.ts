import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { FrameshClient } from '../client/client.js';
import { connectFromFlags, defaultPortOf, type ConnectionFlags } from './connection-options.js';
import { describeError, EXIT_CLIENT_FAILURE, EXIT_USAGE } from './exit-status.js';
import { progressView } from './progress.js';
import { parseRemotePath, requireRemotePath, type RemotePath } from './remote-path.js';
import { planGet, planPut, PlanError, type PlannedFile } from './transfer-plan.js';

export interface TransferFlags extends ConnectionFlags {
  recursive?: boolean;
  preserve?: boolean;
  quiet?: boolean;
  resume: boolean;
}

/** `framesh put`/`get`'s work, once its arguments are parsed. */
export async function runTransfer(direction: 'put' | 'get', paths: string[], flags: TransferFlags, command: Command): Promise<number> {
  if (paths.length < 2) command.error(`error: ${direction} needs at least one source and a destination`);
  const sources = paths.slice(0, -1);
  const dest = paths.at(-1) as string;
  let remote: RemotePath;
  let remoteSources: string[] = [];
  try {
    if (direction === 'put') {
      remote = requireRemotePath(dest, defaultPortOf(flags));
    } else {
      const parsed = sources.map((source) => requireRemotePath(source, defaultPortOf(flags)));
      remote = parsed[0] as RemotePath;
      if (parsed.some((p) => p.host !== remote.host || p.port !== remote.port)) throw new PlanError('all sources must be on one server');
      if (parseRemotePath(dest)) throw new PlanError('the destination of get is a local path');
      remoteSources = parsed.map((p) => p.path);
    }
  } catch (err) {
    process.stderr.write(`framesh: ${(err as Error).message}\n`);
    return EXIT_USAGE;
  }
  let client: FrameshClient;
  try {
    client = await connectFromFlags(remote, flags);
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    return EXIT_CLIENT_FAILURE;
  }
  try {
    const plan = direction === 'put' ? await planPut(client, sources, remote.path, flags.recursive ?? false) : await planGet(client, remoteSources, dest, flags.recursive ?? false);
    return await copyAll(client, direction, plan, flags);
  } catch (err) {
    process.stderr.write(err instanceof PlanError ? `framesh: ${err.message}\n` : `${describeError(err)}\n`);
    return 1;
  } finally {
    await client.close();
  }
}

/** Copies each planned file (and makes each planned directory); a failure is reported with its path and the others still go (as scp does). */
async function copyAll(client: FrameshClient, direction: 'put' | 'get', plan: PlannedFile[], flags: TransferFlags): Promise<number> {
  const view = progressView(flags.quiet ?? false, plan.reduce((sum, f) => sum + f.size, 0), plan.filter((f) => !f.directory).length);
  let failures = 0;
  for (const file of plan) {
    try {
      if (file.directory) {
        await makeDirectory(client, direction, file.to, file.directory.mode);
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
 * A directory of a -r tree, made at the destination with the source's mode (less the umask). As scp
 * does, the owner can always write it, so the tree's own files still go in.
 */
async function makeDirectory(client: FrameshClient, direction: 'put' | 'get', to: string, sourceMode: number): Promise<void> {
  const mode = sourceMode | 0o700;
  if (direction === 'put') await client.mkdir(to, { mode });
  else await fs.mkdir(to, { recursive: true, mode });
}
