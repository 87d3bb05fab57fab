// Types of framesh-socket.js for the Node tests that run it (test/web); the browser loads the .js alone.
import type { FrameHeader } from './frame-codec.js';

export interface PageChannel {
  ch?: number;
  handle(header: FrameHeader, body: Uint8Array): void;
  lost?(): void;
}

export class FrameshSocket {
  constructor(url: string);
  readonly ready: Promise<FrameHeader>;
  readonly bufferedBytes: number;
  readonly maxChunkBytes: number;
  onstate: (state: string, ...details: unknown[]) => void;
  onclose: (info: { state: string; byPage: boolean }) => void;
  send(header: Record<string, unknown>, body?: Uint8Array): boolean;
  open(fields: Record<string, unknown>, channel: PageChannel): number;
  release(ch: number): void;
  close(): void;
}

export function webRequest(socket: FrameshSocket, fields: Record<string, unknown>): Promise<unknown>;
