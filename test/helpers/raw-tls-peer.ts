/**
 * A hand-driven TLS peer for hostile-client tests against a secure server: sends exact frames,
 * collects the headers it receives, reports them when the server closes.
 */
import tls from 'node:tls';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import { DEFAULT_LIMITS } from '../../src/protocol/constants.js';
import type { FrameHeader } from '../../src/protocol/frame.js';

export const RAW_HELLO = {
  type: 'hello',
  version: '1.0',
  agent: 'raw-tls-test',
  capabilities: ['exec'],
  limits: DEFAULT_LIMITS,
};

export interface RawTlsPeer {
  readonly socket: tls.TLSSocket;
  readonly received: FrameHeader[];
  send(header: object): void;
  /** The first received frame of this type (rejects if the connection closes first, or after timeoutMs). */
  next(type: string, timeoutMs?: number): Promise<FrameHeader>;
  /** Every header received, once the server closed (bounded by the test timeout). */
  readonly closed: Promise<FrameHeader[]>;
}

export async function rawTlsPeer(port: number, localAddress?: string): Promise<RawTlsPeer> {
  const socket = tls.connect({
    host: '127.0.0.1',
    port,
    rejectUnauthorized: false,
    minVersion: 'TLSv1.3',
    ...(localAddress && { localAddress }),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  const decoder = new FrameDecoder(DEFAULT_LIMITS);
  const received: FrameHeader[] = [];
  const waiters: Array<() => void> = [];
  socket.on('data', (chunk: Buffer) => {
    received.push(...decoder.decode(chunk).frames.map((f) => f.header));
    waiters.splice(0).forEach((w) => w());
  });
  socket.on('error', () => {});
  const closed = new Promise<FrameHeader[]>((resolve) => socket.once('close', () => resolve(received)));
  return {
    socket,
    received,
    send: (h) => socket.write(encodeFrameToBuffer(h as { type: string })),
    next: (type, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${type}" within ${timeoutMs} ms; got ${JSON.stringify(received)}`)),
          timeoutMs,
        );
        const check = (): void => {
          const found = received.find((h) => h.type === type);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          } else if (socket.destroyed) {
            clearTimeout(timer);
            reject(new Error(`closed before "${type}"; got ${JSON.stringify(received)}`));
          } else waiters.push(check);
        };
        socket.once('close', check);
        check();
      }),
    closed,
  };
}
