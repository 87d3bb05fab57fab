/**
 * Fan-out of transfers on the scheduler of host-jobs.ts: the same local files to many hosts
 * (`fanoutPut`), or the same remote files from many hosts into one local directory, each host's under
 * `DIR/HOST/` (`fanoutGet`). Each host's files follow scp's rules (client/files/transfer-plan.ts), as a
 * single-host `put`/`get` does. A file that fails ends its host with code 1 and the others still go; a
 * connection that fails or is lost is the host's error.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { copyPlan, expandRemoteSources, hasRemoteGlob } from '../client/files/plan-copy.js';
import { planGet, planPut, PlanError, type PlannedFile } from '../client/files/transfer-plan.js';
import type { FanoutTarget } from './host-selection.js';
import {
  errorOf,
  runOnHosts,
  type HostEvent,
  type HostJobContext,
  type HostJobEnd,
  type HostJobOptions,
  type HostRun,
} from './host-jobs.js';

/** A transfer's own events, besides each host's start and end. */
export type TransferEvent =
  /** The host's files are known: how many and how many bytes in all. */
  | { readonly type: 'plan'; readonly host: string; readonly files: number; readonly total: number }
  /** Bytes moved so far on this host (`bytes` of `total`), at most every 100 ms per host. */
  | {
      readonly type: 'progress';
      readonly host: string;
      readonly path: string;
      readonly bytes: number;
      readonly total: number;
    }
  /** One file arrived whole and verified (SHA-256 end to end). */
  | {
      readonly type: 'file';
      readonly host: string;
      readonly from: string;
      readonly to: string;
      readonly size: number;
      readonly sha256: string;
    }
  /** One file could not be copied; the host's other files still go. */
  | {
      readonly type: 'file-error';
      readonly host: string;
      readonly from: string;
      readonly to: string;
      readonly error: { readonly code: string; readonly message: string };
    };

export type TransferFanoutEvent = HostEvent<TransferEvent>;
export type TransferFanout = HostRun<TransferEvent>;

export interface TransferFanoutOptions extends HostJobOptions {
  /** Copy directory trees (as `-r`). */
  recursive?: boolean;
  /** Keep modification times and exact permission bits (as `-p`). */
  preserve?: boolean;
  /** Continue an interrupted transfer of the same file (default true). */
  resume?: boolean;
}

const PROGRESS_EVERY_MS = 100;

/** Copies the local `sources` to `remoteDest` on every host (scp's rules; several sources need a remote directory). */
export function fanoutPut(
  targets: readonly FanoutTarget[],
  sources: string | readonly string[],
  remoteDest: string,
  options: TransferFanoutOptions = {},
): TransferFanout {
  const list = typeof sources === 'string' ? [sources] : [...sources];
  return runOnHosts(
    targets,
    (context) =>
      transferOnHost(
        context,
        'put',
        (client) => planPut(client, list, remoteDest, options.recursive ?? false),
        undefined,
        options,
      ),
    options,
    { timeoutGraceMs: 0 },
  );
}

/**
 * Copies the remote `sources` (patterns expand on each server) from every host into `localDir/HOST/`,
 * HOST being the host's name made safe as one directory name (hostDirectoryName). No file of a host
 * is written outside its own directory, whatever the server lists.
 */
export function fanoutGet(
  targets: readonly FanoutTarget[],
  sources: string | readonly string[],
  localDir: string,
  options: TransferFanoutOptions = {},
): TransferFanout {
  const list = typeof sources === 'string' ? [sources] : [...sources];
  return runOnHosts(
    targets,
    (context) => {
      const hostDir = path.join(localDir, hostDirectoryName(context.target.name));
      const plan = async (client: HostJobContext<TransferEvent>['client']): Promise<PlannedFile[]> => {
        await fs.mkdir(hostDir, { recursive: true });
        const remote = list.some(hasRemoteGlob) ? await expandRemoteSources(client, list) : list;
        return planGet(client, remote, hostDir, options.recursive ?? false);
      };
      return transferOnHost(context, 'get', plan, hostDir, options);
    },
    options,
    { timeoutGraceMs: 0 },
  );
}

/**
 * A host's name as one directory name: `%`, `/`, `\` and control characters become `%XX`, and `.` and
 * `..` become `%2E` and `%2E%2E`, so no name reaches outside DIR and two names never share a directory.
 */
export function hostDirectoryName(name: string): string {
  if (name === '') throw new PlanError('a host with an empty name has no directory of its own');
  if (name === '.' || name === '..') return name.replace(/\./g, '%2E');
  // eslint-disable-next-line no-control-regex
  return name.replace(/[%/\\\x00-\x1f\x7f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** True when `to` is `dir` or inside it. */
function isInside(dir: string, to: string): boolean {
  const rel = path.relative(dir, to);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

async function transferOnHost(
  context: HostJobContext<TransferEvent>,
  direction: 'put' | 'get',
  makePlan: (client: HostJobContext<TransferEvent>['client']) => Promise<PlannedFile[]>,
  within: string | undefined,
  options: TransferFanoutOptions,
): Promise<HostJobEnd> {
  const { client, target } = context;
  const host = target.name;
  let plan: PlannedFile[];
  try {
    plan = await makePlan(client);
    // Belt and braces: the plan names local files from the server's listings (already checked to be one
    // path component each); nothing may land outside this host's directory.
    const outside = within === undefined ? undefined : plan.find((f) => !isInside(within, f.to));
    if (outside) throw new PlanError(`${outside.from}: would be written outside ${within}; refused`);
  } catch (err) {
    if (client.closed) throw err;
    return { code: 1, signal: null, detail: describe(err) };
  }
  const total = plan.reduce((sum, f) => sum + f.size, 0);
  context.emit({ type: 'plan', host, files: plan.filter((f) => !f.directory).length, total });
  let done = 0;
  let lastShown = 0;
  let firstFailure: string | undefined;
  let lastError: unknown;
  const failures = await copyPlan(client, direction, plan, {
    resume: options.resume ?? true,
    preserve: options.preserve ?? false,
    progressOf: (file) => {
      let last = 0;
      return (p) => {
        // Resumed bytes were already there: they count as done but not as moved.
        context.count(p.bytes - Math.max(last, p.resumedFrom));
        done += p.bytes - last;
        last = p.bytes;
        const now = Date.now();
        if (now - lastShown >= PROGRESS_EVERY_MS || p.bytes === p.total) {
          lastShown = now;
          context.emit({ type: 'progress', host, path: file.to, bytes: done, total });
        }
      };
    },
    onCopied: (file, result) =>
      context.emit({ type: 'file', host, from: file.from, to: result.path, size: result.size, sha256: result.sha256 }),
    onFailed: (file, err) => {
      lastError = err;
      firstFailure ??= describe(err);
      context.emit({ type: 'file-error', host, from: file.from, to: file.to, error: errorOf(err) });
    },
  });
  if (failures > 0 && client.closed) throw lastError;
  if (failures > 0)
    return {
      code: 1,
      signal: null,
      detail: `${failures} of ${plan.filter((f) => !f.directory).length} files failed; first: ${firstFailure}`,
    };
  return { code: 0, signal: null };
}

function describe(err: unknown): string {
  const { code, message } = errorOf(err);
  return `${code}: ${message}`;
}
