import type { FileRoot } from './file-root.js';
import type { PartialFiles } from './partial-files.js';
import type { ChannelSetup } from '../server-channel.js';

/** One finished (or failed) transfer, for the audit log. */
export interface TransferRecord {
  readonly remote: string;
  readonly direction: 'put' | 'get';
  readonly path: string;
  readonly bytes: number;
  readonly resumedFrom: number;
  readonly sha256: string | null;
  readonly durationMs: number;
  readonly outcome: 'ok' | string;
}

/** What a file channel needs from its session (ChannelSetup: conn, remote, onEnded) and server. */
export interface FileChannelContext extends ChannelSetup {
  readonly root: FileRoot;
  readonly partials: PartialFiles;
  /** Window granted for file data sent to the server. */
  readonly receiveWindowBytes: number;
  readonly audit: (record: TransferRecord) => void;
}
