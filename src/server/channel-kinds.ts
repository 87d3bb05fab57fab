import type { OpenKind } from '../protocol/messages.js';
import type { ChannelFactory } from './server-channel.js';
import { execChannelFactory, type ExecAudit, type ExecSettings } from './exec/exec-channel-factory.js';
import { fileChannelFactories } from './files/file-channel-factory.js';
import type { TransferRecord } from './files/file-channel-context.js';
import type { FileRoot } from './files/file-root.js';

/** One factory per channel kind of the message table (OPEN_KINDS): the compiler refuses a kind left out. */
export type ChannelKinds = { readonly [K in OpenKind]: ChannelFactory<K> };

/** What the built-in kinds need from the server. */
export interface ChannelKindDeps {
  readonly exec: ExecSettings;
  readonly execAudit: ExecAudit;
  readonly root: FileRoot;
  readonly transferAudit: (record: TransferRecord) => void;
}

/**
 * Every channel kind the server offers, in one place (PROTOCOL.md §4.1, §9).
 * A new kind: its `open` fields in protocol/message-catalog.ts, its folder
 * under server/ with a ServerChannel and a factory, and one line here.
 */
export function builtInChannelKinds(deps: ChannelKindDeps): ChannelKinds {
  return {
    exec: execChannelFactory(deps.exec, deps.execAudit),
    ...fileChannelFactories(deps.root, deps.transferAudit),
  };
}

/**
 * The kinds as the session looks them up, by `open.kind`. The one cast of the
 * pattern: a factory is only ever called with an `open` of its own kind.
 */
export function channelKindMap(kinds: Partial<ChannelKinds>): Map<string, ChannelFactory> {
  return new Map(Object.entries(kinds) as Array<[string, ChannelFactory]>);
}
