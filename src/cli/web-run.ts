import type { FrameshClient } from '../client/client.js';
import { webRequest, type WebSessionListing } from '../client/web-request.js';
import { RemoteError } from '../errors.js';
import { connectOrExplain, defaultPortOf } from './connect-from-flags.js';
import type { ConnectionFlags } from './connection-options.js';
import { describeError, EXIT_CLIENT_FAILURE } from './exit-status.js';
import { parseTarget } from './target.js';

export interface WebSessionsFlags extends ConnectionFlags {
  revoke?: string;
  json?: boolean;
}

/** `framesh web-login HOST`: the URL on stdout (for scripts), its deadline on stderr. */
export async function runWebLogin(targetText: string, flags: ConnectionFlags): Promise<number> {
  return withClient(targetText, flags, async (client) => {
    const { url, expiresAtMs } = await webRequest(client, { action: 'login' });
    process.stdout.write(`${url}\n`);
    if (!flags.quiet)
      process.stderr.write(
        `framesh: open it within ${Math.max(0, Math.round((expiresAtMs - Date.now()) / 1000))} s; it works once\n`,
      );
    return 0;
  });
}

/** `framesh web-sessions HOST [--revoke ID] [--json]`. */
export async function runWebSessions(targetText: string, flags: WebSessionsFlags): Promise<number> {
  return withClient(targetText, flags, async (client) => {
    if (flags.revoke !== undefined) {
      await webRequest(client, { action: 'revoke', session: flags.revoke });
      if (!flags.quiet) process.stderr.write(`framesh: web session ${flags.revoke} ended\n`);
      return 0;
    }
    const { sessions } = await webRequest(client, { action: 'list' });
    process.stdout.write(flags.json ? `${JSON.stringify(sessions)}\n` : sessionTable(sessions, Date.now()));
    return 0;
  });
}

async function withClient(
  targetText: string,
  flags: ConnectionFlags,
  work: (client: FrameshClient) => Promise<number>,
): Promise<number> {
  const target = parseTarget(targetText, defaultPortOf(flags));
  const client = await connectOrExplain(target, flags);
  if (!client) return EXIT_CLIENT_FAILURE;
  try {
    return await work(client);
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    // A refusal by the server (WEB_DISABLED, WEB_SESSION_UNKNOWN) is 1; a lost connection is framesh's 255.
    return err instanceof RemoteError ? 1 : EXIT_CLIENT_FAILURE;
  } finally {
    await client.close();
  }
}

/** The listing as aligned columns, one session a line. */
export function sessionTable(sessions: readonly WebSessionListing[], nowMs: number): string {
  if (sessions.length === 0) return 'no web sessions\n';
  const rows = [['ID', 'KEY', 'AGE', 'IDLE', 'LEFT', 'SOCKETS']];
  for (const s of sessions) {
    const key = s.fingerprint ? `${s.fingerprint}${s.comment ? ` (${s.comment})` : ''}` : '(insecure server: no key)';
    rows.push([
      s.id,
      key,
      span(nowMs - s.createdMs),
      span(nowMs - s.lastSeenMs),
      span(s.expiresMs - nowMs),
      String(s.sockets),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') +
    '\n'
  );
}

function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
