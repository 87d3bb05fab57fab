/**
 * A hand-driven protocol peer over plain TCP for hostile-input tests: writes
 * exact bytes, decodes what the server answers, and reports everything it
 * received once the server closes.
 */
import net from 'node:net';
import { once } from 'node:events';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import { DEFAULT_LIMITS } from '../../src/protocol/constants.js';
import type { FrameHeader } from '../../src/protocol/frame.js';

export const CLIENT_HELLO = {
  type: 'hello',
  version: '1.0',
  agent: 'raw-peer',
  capabilities: ['exec'],
  limits: DEFAULT_LIMITS,
};

export interface RawPeer {
  readonly socket: net.Socket;
  /** Every frame header received so far. */
  readonly received: FrameHeader[];
  write(bytes: Buffer): void;
  send(header: { type: string; [k: string]: unknown }, body?: Buffer): void;
  /** Waits for the first received frame of this type. */
  next(type: string, timeoutMs?: number): Promise<FrameHeader>;
  /** Waits until the frames received so far satisfy `test` (bounded). */
  until(test: (received: readonly FrameHeader[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves with every frame received, once the server has closed the connection (bounded). */
  closed(timeoutMs?: number): Promise<FrameHeader[]>;
}

/** `answerPings`: reply to each ping with its pong, as a compliant client does. */
export async function rawPeer(port: number, options: { answerPings?: boolean } = {}): Promise<RawPeer> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  await once(socket, 'connect');
  const decoder = new FrameDecoder({ maxHeaderBytes: DEFAULT_LIMITS.maxHeaderBytes, maxBodyBytes: 64 * 1024 * 1024 });
  const received: FrameHeader[] = [];
  let notify: () => void = () => {};
  socket.on('data', (chunk: Buffer) => {
    const headers = decoder.decode(chunk).frames.map((f) => f.header);
    received.push(...headers);
    if (options.answerPings) {
      for (const h of headers) if (h.type === 'ping') socket.write(encodeFrameToBuffer({ type: 'pong', id: h.id }));
    }
    notify();
  });
  const closedPromise = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    received,
    write: (bytes) => socket.write(bytes),
    send: (header, body) => socket.write(encodeFrameToBuffer(header, body)),
    next(type, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${type}" within ${timeoutMs} ms; got ${JSON.stringify(received)}`)),
          timeoutMs,
        );
        const check = (): void => {
          const found = received.find((h) => h.type === type);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
        };
        notify = check;
        check();
      });
    },
    until(test, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const fail = (): void =>
          reject(new Error(`condition not met within ${timeoutMs} ms; got ${received.length} frames`));
        const timer = setTimeout(fail, timeoutMs);
        const check = (): void => {
          if (!test(received)) return;
          clearTimeout(timer);
          resolve();
        };
        notify = check;
        check();
      });
    },
    async closed(timeoutMs = 5000) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        closedPromise,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`server did not close within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      return received;
    },
  };
}

/** A 4-byte big-endian length followed by the given header text, exactly as written. */
export function rawFrame(headerText: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const json = Buffer.from(headerText, 'utf8');
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(json.length);
  return Buffer.concat([prefix, json, body]);
}
