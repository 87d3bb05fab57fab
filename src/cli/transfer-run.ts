import path from 'node:path';
import type { Command } from 'commander';
import type { FrameshClient } from '../client/client.js';
import { copyPlan, expandRemoteSources, hasRemoteGlob } from '../client/files/plan-copy.js';
import { connectOrExplain, defaultPortOf } from './connect-from-flags.js';
import type { ConnectionFlags } from './connection-options.js';
import { describeError, EXIT_CLIENT_FAILURE, EXIT_USAGE } from './exit-status.js';
import { progressView } from './progress.js';
import { parseRemotePath, requireRemotePath, type RemotePath } from './remote-path.js';
import { planGet, planPut, PlanError, type PlannedFile } from '../client/files/transfer-plan.js';

export interface TransferFlags extends ConnectionFlags {
  recursive?: boolean;
  preserve?: boolean;
  quiet?: boolean;
  resume: boolean;
}

/** `framesh put`/`get`'s work, once its arguments are parsed. */
export async function runTransfer(
  direction: 'put' | 'get',
  paths: string[],
  flags: TransferFlags,
  command: Command,
): Promise<number> {
  if (paths.length < 2) command.error(`error: ${direction} needs at least one source and a destination`);
  const sources = paths.slice(0, -1);
  const dest = paths.at(-1) as string;
  let remote: RemotePath;
  let remoteSources: string[] = [];
  let globbed = false;
  try {
    if (direction === 'put') {
      remote = requireRemotePath(dest, defaultPortOf(flags));
    } else {
      const parsed = sources.map((source) => requireRemotePath(source, defaultPortOf(flags)));
      remote = parsed[0] as RemotePath;
      if (parsed.some((p) => p.host !== remote.host || p.port !== remote.port))
        throw new PlanError('all sources must be on one server');
      if (parseRemotePath(dest)) throw new PlanError('the destination of get is a local path');
      remoteSources = parsed.map((p) => p.path);
      globbed = remoteSources.some(hasRemoteGlob);
    }
  } catch (err) {
    process.stderr.write(`framesh: ${(err as Error).message}\n`);
    return EXIT_USAGE;
  }
  const client = await connectOrExplain(remote, flags);
  if (!client) return EXIT_CLIENT_FAILURE;
  try {
    // Remote patterns (host:'logs/*.log') expand on the server, within its root, as scp's remote shell would.
    if (globbed) remoteSources = await expandRemoteSources(client, remoteSources);
    const plan =
      direction === 'put'
        ? await planPut(client, sources, remote.path, flags.recursive ?? false)
        : await planGet(client, remoteSources, dest, flags.recursive ?? false);
    return await copyAll(client, direction, plan, flags);
  } catch (err) {
    process.stderr.write(err instanceof PlanError ? `framesh: ${err.message}\n` : `${describeError(err)}\n`);
    return 1;
  } finally {
    await client.close();
  }
}

/** Copies each planned file (and makes each planned directory); a failure is reported with its path and the others still go (as scp does). */
async function copyAll(
  client: FrameshClient,
  direction: 'put' | 'get',
  plan: PlannedFile[],
  flags: TransferFlags,
): Promise<number> {
  const view = progressView(
    flags.quiet ?? false,
    plan.reduce((sum, f) => sum + f.size, 0),
    plan.filter((f) => !f.directory).length,
  );
  const failures = await copyPlan(client, direction, plan, {
    resume: flags.resume,
    preserve: flags.preserve ?? false,
    progressOf: (file) => view.file(path.basename(file.to), file.size),
    onFailed: (_file, err) => {
      view.stop();
      process.stderr.write(`${describeError(err)}\n`);
    },
  });
  view.stop();
  return failures === 0 ? 0 : 1;
}
