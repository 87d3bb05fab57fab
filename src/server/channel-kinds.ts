import type { OpenKind } from '../protocol/messages.js';
import type { ChannelFactory } from './server-channel.js';
import {
  commandChannelFactories,
  type CommandAudit,
  type CommandChannelSettings,
} from './pty/terminal-channel-factory.js';
import { fileChannelFactories } from './files/file-channel-factory.js';
import type { TransferRecord } from './files/file-channel-context.js';
import type { FileRoot } from './files/file-root.js';
import type { PartialFiles } from './files/partial-files.js';
import { FrameshError } from '../errors.js';
import { RefusedChannel } from './refused-channel.js';

/** One factory per channel kind of the message table (OPEN_KINDS): the compiler refuses a kind left out. */
export type ChannelKinds = { readonly [K in OpenKind]: ChannelFactory<K> };

/** What the built-in kinds need from the server. */
export interface ChannelKindDeps {
  readonly exec: CommandChannelSettings;
  readonly execAudit: CommandAudit;
  readonly root: FileRoot;
  /** Partial uploads in progress, shared with the stale-partial sweep. */
  readonly partials?: PartialFiles;
  readonly transferAudit: (record: TransferRecord) => void;
}

/**
 * Every channel kind the server offers, in one place (PROTOCOL.md §4.1, §9, §11).
 * A new kind: its `open` fields in protocol/message-catalog.ts, its folder
 * under server/ with a ServerChannel and a factory, and one line here.
 */
export function builtInChannelKinds(deps: ChannelKindDeps): ChannelKinds {
  return {
    // exec (with or without a terminal) and shell (PROTOCOL.md §11).
    ...commandChannelFactories(deps.exec, deps.execAudit),
    ...fileChannelFactories(deps.root, deps.transferAudit, deps.partials),
    // PROTOCOL.md §12.2: a server started without --web refuses every web request; `serve --web`
    // replaces this entry (server.channelKinds) with the web service's own factory.
    web: (open, setup) =>
      new RefusedChannel(
        open.ch,
        setup.conn,
        new FrameshError('WEB_DISABLED', 'this server was not started with --web'),
        setup.onEnded,
      ),
  };
}

/**
 * The kinds as the session looks them up, by `open.kind`. The one cast of the
 * pattern: a factory is only ever called with an `open` of its own kind.
 */
export function channelKindMap(kinds: Partial<ChannelKinds>): Map<string, ChannelFactory> {
  return new Map(Object.entries(kinds) as Array<[string, ChannelFactory]>);
}
