import type { ChannelFactory } from '../server-channel.js';
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
): Record<'put' | 'get' | 'stat' | 'mkdir', ChannelFactory> {
  const context = (setup: Parameters<ChannelFactory>[1]): FileChannelContext => ({
    conn: setup.conn,
    root,
    partials,
    remote: setup.remote,
    receiveWindowBytes: PUT_WINDOW_BYTES,
    onEnded: setup.onEnded,
    audit,
  });
  return {
    put: (open, setup) => {
      if (open.kind !== 'put') throw new Error('internal: put factory given another kind');
      return new PutChannel(open, context(setup));
    },
    get: (open, setup) => {
      if (open.kind !== 'get') throw new Error('internal: get factory given another kind');
      return new GetChannel(open, context(setup));
    },
    stat: (open, setup) => {
      if (open.kind !== 'stat') throw new Error('internal: stat factory given another kind');
      return new StatChannel(open, context(setup));
    },
    mkdir: (open, setup) => {
      if (open.kind !== 'mkdir') throw new Error('internal: mkdir factory given another kind');
      return new MkdirChannel(open, context(setup));
    },
  };
}
