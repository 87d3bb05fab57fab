import { PROTOCOL_MAJOR, PROTOCOL_VERSION } from './constants.js';
import { ProtocolError, VersionError } from '../errors.js';
import type { HelloMessage, PeerLimits } from './messages.js';

/** Builds our `hello` (PROTOCOL.md §2). */
export function buildHello(agent: string, capabilities: readonly string[], limits: PeerLimits): HelloMessage {
  return { type: 'hello', version: PROTOCOL_VERSION, agent, capabilities, limits };
}

/**
 * PROTOCOL.md §2: a `version` that is not "MAJOR.MINOR" (digits, one dot) is malformed (PROTOCOL); a
 * well-formed one whose MAJOR differs from ours is refused with VERSION.
 */
export function checkPeerVersion(hello: HelloMessage): void {
  const match = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/.exec(hello.version);
  if (!match)
    throw new ProtocolError(
      `hello "version" must be "MAJOR.MINOR" (like "1.0"), not ${JSON.stringify(hello.version.slice(0, 40))}`,
    );
  if (Number(match[1]) !== PROTOCOL_MAJOR) {
    throw new VersionError(
      `peer ${hello.agent} speaks protocol ${hello.version}; this side speaks ${PROTOCOL_VERSION} (major versions must match)`,
    );
  }
}
