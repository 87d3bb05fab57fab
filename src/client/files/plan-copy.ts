/**
 * Carrying out a transfer plan (transfer-plan.ts) over one connection: each file in turn, each directory
 * of a -r tree made with its source's mode. A file that fails is reported and the others still go, as
 * scp does; a lost connection ends the copy. The CLI's single-host and fan-out transfers share this.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { FrameshClient } from '../client.js';
import { localMode } from './peer-names.js';
import { PlanError, type PlannedFile } from './transfer-plan.js';
import type { TransferProgress, TransferResult } from './transfer-types.js';

export interface PlanCopyOptions {
  readonly resume: boolean;
  readonly preserve: boolean;
  /** The progress callback for one file, asked for as the file starts. */
  readonly progressOf?: (file: PlannedFile) => ((progress: TransferProgress) => void) | undefined;
  readonly onCopied?: (file: PlannedFile, result: TransferResult) => void;
  readonly onFailed?: (file: PlannedFile, err: unknown) => void;
}

/** Copies every planned file; resolves with how many failed. */
export async function copyPlan(
  client: FrameshClient,
  direction: 'put' | 'get',
  plan: readonly PlannedFile[],
  options: PlanCopyOptions,
): Promise<number> {
  let failures = 0;
  for (const file of plan) {
    try {
      if (file.directory) {
        await makeDirectory(client, direction, file.to, file.directory.mode, options.preserve);
        continue;
      }
      const onProgress = options.progressOf?.(file);
      const transfer = {
        resume: options.resume,
        preserve: options.preserve,
        mkdirs: file.inTree,
        ...(onProgress && { onProgress }),
      };
      let result: TransferResult;
      if (direction === 'put') {
        result = await client.put(file.from, file.to, transfer);
      } else {
        if (file.inTree) await fs.mkdir(path.dirname(file.to), { recursive: true });
        result = await client.get(file.from, file.to, transfer);
      }
      options.onCopied?.(file, result);
    } catch (err) {
      failures += 1;
      options.onFailed?.(file, err);
      if (client.closed) break;
    }
  }
  return failures;
}

/**
 * A directory of a -r tree, made at the destination with the source's mode (less the umask, and never
 * setuid, setgid or sticky from the server). As scp does, the owner can always write it, so the tree's
 * own files still go in.
 */
async function makeDirectory(
  client: FrameshClient,
  direction: 'put' | 'get',
  to: string,
  sourceMode: number,
  preserve: boolean,
): Promise<void> {
  if (direction === 'put') await client.mkdir(to, { mode: (sourceMode & 0o777) | 0o700 });
  else await fs.mkdir(to, { recursive: true, mode: localMode(sourceMode, preserve) | 0o700 });
}

/** A remote source with `*`, `?` or `[` is a pattern; quote it (host:'logs/*.log') so the local shell leaves it alone. */
export function hasRemoteGlob(source: string): boolean {
  return /[*?[]/.test(source);
}

/** Remote patterns expand on the server, within its root, as scp's remote shell would. */
export async function expandRemoteSources(client: FrameshClient, sources: readonly string[]): Promise<string[]> {
  const expanded: string[] = [];
  for (const source of sources) {
    if (!hasRemoteGlob(source)) {
      expanded.push(source);
      continue;
    }
    const matches = await client.glob(source);
    // A name that merely contains a glob character (report[1].txt) still works when nothing matches it.
    if (matches.length === 0 && (await client.stat(source)).type !== 'none')
      matches.push({ path: source, ...(await client.stat(source)) });
    if (matches.length === 0) throw new PlanError(`${source}: no match on the server`);
    expanded.push(...matches.map((m) => m.path));
  }
  return expanded;
}
