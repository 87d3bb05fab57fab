import type { FileStat } from '../../protocol/messages.js';

/** Reported as bytes move; `bytes` counts the whole file, including a resumed prefix. */
export interface TransferProgress {
  readonly path: string;
  readonly bytes: number;
  readonly total: number;
  /** Bytes that were already in place from an interrupted transfer. */
  readonly resumedFrom: number;
}

export interface TransferOptions {
  /** Continue an interrupted transfer of the same file (default true). */
  resume?: boolean;
  /**
   * Keep the modification time and the exact permission bits. Without it the mode is kept less the
   * local umask (as scp does). setuid, setgid and sticky bits are never taken from the peer.
   */
  preserve?: boolean;
  /** put: create missing parent directories on the server. */
  mkdirs?: boolean;
  /** Called as data moves (at most once per chunk). */
  onProgress?: (progress: TransferProgress) => void;
  /** Window for downloaded data in bytes (default 8 MiB). */
  windowBytes?: number;
}

export interface TransferResult {
  /** Where the file ended up (remote path for put, local path for get). */
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  /** Bytes not sent again thanks to resume. */
  readonly resumedFrom: number;
}

export interface RemoteStat extends FileStat {
  /** With `list`, a directory's entries. */
  readonly entries?: ReadonlyArray<FileStat & { readonly name: string }>;
}

/** One match of a remote pattern (`client.glob`): its path in the pattern's terms and what is there. */
export interface RemoteMatch extends FileStat {
  readonly path: string;
}
