import type { ChannelFactory, ChannelSetup } from '../server-channel.js';
import type { FileChannelContext, TransferRecord } from './file-channel-context.js';
import type { FileRoot } from './file-root.js';
import { GetChannel } from './get-channel.js';
import { MkdirChannel } from './mkdir-channel.js';
import { PartialFiles } from './partial-files.js';
import { PutChannel } from './put-channel.js';
import { StatChannel } from './stat-channel.js';

/** Window the server grants for upload data on each put channel. */
export const PUT_WINDOW_BYTES = 8 * 1024 * 1024;

/** Factories for the "put", "get", "stat" and "mkdir" channel kinds over one file root. */
export function fileChannelFactories(
  root: FileRoot,
  audit: (record: TransferRecord) => void,
  partials: PartialFiles = new PartialFiles(),
): FileChannelFactories {
  const context = (setup: ChannelSetup): FileChannelContext => ({
    ...setup,
    root,
    partials,
    receiveWindowBytes: PUT_WINDOW_BYTES,
    audit,
  });
  return {
    put: (open, setup) => new PutChannel(open, context(setup)),
    get: (open, setup) => new GetChannel(open, context(setup)),
    stat: (open, setup) => new StatChannel(open, context(setup)),
    mkdir: (open, setup) => new MkdirChannel(open, context(setup)),
  };
}

export interface FileChannelFactories {
  readonly put: ChannelFactory<'put'>;
  readonly get: ChannelFactory<'get'>;
  readonly stat: ChannelFactory<'stat'>;
  readonly mkdir: ChannelFactory<'mkdir'>;
}
