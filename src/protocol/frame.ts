/** A decoded frame: the parsed JSON header and the body it announced. */
export interface Frame {
  readonly header: FrameHeader;
  readonly body: Buffer;
}

/** PROTOCOL.md §1: every header is a JSON object with a string `type`. */
export interface FrameHeader {
  readonly type: string;
  /** Body length in bytes; absent or 0 for none. */
  readonly len?: number;
  readonly [field: string]: unknown;
}

/** Limits a receiver enforces (PROTOCOL.md §3). */
export interface FrameLimits {
  readonly maxHeaderBytes: number;
  readonly maxBodyBytes: number;
}
