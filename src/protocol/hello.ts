import { PROTOCOL_MAJOR, PROTOCOL_VERSION } from './constants.js';
import { VersionError } from '../errors.js';
import type { HelloMessage, PeerLimits } from './messages.js';

/** Builds our `hello` (PROTOCOL.md §2). */
export function buildHello(agent: string, capabilities: readonly string[], limits: PeerLimits): HelloMessage {
  return { type: 'hello', version: PROTOCOL_VERSION, agent, capabilities, limits };
}

/** PROTOCOL.md §2: a peer whose MAJOR differs from ours is refused with VERSION. */
export function checkPeerVersion(hello: HelloMessage): void {
  const match = /^(\d+)\.(\d+)$/.exec(hello.version);
  if (!match || Number(match[1]) !== PROTOCOL_MAJOR) {
    throw new VersionError(
      `peer ${hello.agent} speaks protocol ${hello.version}; this side speaks ${PROTOCOL_VERSION} (major versions must match)`,
    );
  }
}
