import type { FramedConnection } from '../../connection/framed-connection.js';
import type { FileRoot } from './file-root.js';
import type { PartialFiles } from './partial-files.js';

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

export interface FileChannelContext {
  readonly conn: FramedConnection;
  readonly root: FileRoot;
  readonly partials: PartialFiles;
  readonly remote: string;
  /** Window granted for file data sent to the server. */
  readonly receiveWindowBytes: number;
  readonly onEnded: () => void;
  readonly audit: (record: TransferRecord) => void;
}
