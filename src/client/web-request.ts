import { ProtocolError } from '../errors.js';
import type { ChannelOpener } from './client-channel.js';
import { FileCall } from './files/file-call.js';

/** One web session as `framesh web-sessions` lists it (PROTOCOL.md §12.2). */
export interface WebSessionListing {
  readonly id: string;
  readonly fingerprint: string | null;
  readonly comment: string;
  readonly createdMs: number;
  readonly lastSeenMs: number;
  readonly expiresMs: number;
  readonly sockets: number;
}

export type WebRequest = { action: 'login' } | { action: 'list' } | { action: 'revoke'; session: string };

/**
 * Sends one `web` request to a server started with --web (PROTOCOL.md §12.2) and resolves with its JSON
 * answer; a server without --web answers the channel error WEB_DISABLED (a RemoteError).
 */
export async function webRequest(
  client: ChannelOpener,
  request: { action: 'login' },
): Promise<{ url: string; expiresAtMs: number }>;
export async function webRequest(
  client: ChannelOpener,
  request: { action: 'list' },
): Promise<{ sessions: WebSessionListing[] }>;
export async function webRequest(
  client: ChannelOpener,
  request: { action: 'revoke'; session: string },
): Promise<{ revoked: string }>;
export async function webRequest(client: ChannelOpener, request: WebRequest): Promise<unknown> {
  const call = client.openChannel(
    (ch, link) => new FileCall(ch, link, 1024),
    (ch) => ({ type: 'open', ch, kind: 'web', window: 1024, ...request }),
  );
  const { body } = await call.result;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new ProtocolError('the server answered a web request with something that is not JSON', { cause: err });
  }
}
