// Types of frame-codec.js for the Node tests that run it (test/web); the browser loads the .js alone.
export interface FrameHeader {
  readonly type: string;
  readonly len?: number;
  readonly [field: string]: unknown;
}
export function encodeFrame(header: Record<string, unknown>, body?: Uint8Array | null): Uint8Array;
export class FrameReader {
  constructor(limits?: { maxHeaderBytes: number; maxBodyBytes: number });
  push(chunk: Uint8Array | ArrayBuffer): Array<{ header: FrameHeader; body: Uint8Array }>;
}
