/**
 * A hostile file server over plain TCP for client-side tests: it answers hello, then hands each `open`
 * to a script that replies with exactly the frames under test (listings with hostile names, modes with
 * setuid bits, files that do not match). Closed after the test file.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { after } from 'node:test';
import { DEFAULT_LIMITS } from '../../src/protocol/constants.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import type { FrameHeader } from '../../src/protocol/frame.js';

type Frame = { type: string; [k: string]: unknown };

export interface FileScript {
  /** Called for every `open`; `send` writes one frame. */
  onOpen(open: FrameHeader, send: (header: Frame, body?: Buffer) => void): void;
}

const servers: net.Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

export async function fakeFileServer(script: FileScript): Promise<{ port: number; opens: FrameHeader[] }> {
  const opens: FrameHeader[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    const decoder = new FrameDecoder(DEFAULT_LIMITS);
    const send = (header: Frame, body?: Buffer): void => {
      if (!socket.destroyed) socket.write(encodeFrameToBuffer(header, body));
    };
    socket.on('data', (chunk: Buffer) => {
      for (const { header } of decoder.decode(chunk).frames) {
        if (header.type === 'hello') {
          send({
            type: 'hello',
            version: '1.0',
            agent: 'hostile-file-server',
            capabilities: ['exec', 'files'],
            limits: DEFAULT_LIMITS,
          });
        } else if (header.type === 'open') {
          opens.push(header);
          script.onOpen(header, send);
        }
      }
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as net.AddressInfo).port, opens };
}

export const stat = (type: string, mode = 0o644, size = 0): Frame => ({ type, size, mode, mtimeMs: 1_700_000_000_000 });

/** Answers a get with the whole of `content`, its mode and a correct hash. */
export function sendFile(
  send: (header: Frame, body?: Buffer) => void,
  ch: unknown,
  content: Buffer,
  mode: number,
): void {
  send({ type: 'opened', ch, window: 1, offset: 0, size: content.length, mode, mtimeMs: 1_700_000_000_000 });
  if (content.length > 0) send({ type: 'data', ch, stream: 'file' }, content);
  send({ type: 'done', ch, sha256: createHash('sha256').update(content).digest('hex'), size: content.length });
}
