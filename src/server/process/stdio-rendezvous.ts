import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Bytes a helper writes first on each stdio connection: u32 launch id, u8 stream (0 stdin, 1 stdout, 2 stderr). */
export const STDIO_HEADER_BYTES = 5;
/** A connection that has not sent its header by then is dropped. */
const HEADER_TIMEOUT_MS = 10_000;

type Arrival = (stream: 0 | 1 | 2, socket: net.Socket) => void;

/**
 * Where the spawn helpers hand a command's stdio to the server (docs/ARCHITECTURE.md, "Spawning"): a
 * Unix socket in a private 0700 directory. For each launch the helper connects three times, writes a
 * 5-byte header naming the launch and the stream, and gives the three sockets to the command as its
 * fds 0-2; the server matches them to the launch here. Unlike handles sent over Node IPC (each one
 * waits for an acknowledgement before the next message moves), nothing here waits on the helper's loop.
 */
export class StdioRendezvous {
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'framesh-stdio-'));
  readonly socketPath = path.join(this.dir, 's');
  private readonly server: net.Server;
  private readonly waiting = new Map<number, Arrival>();
  readonly ready: Promise<void>;

  constructor() {
    // Half-open: the command's EOF on one direction must not close the other (stdin stays writable).
    this.server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => this.accept(socket));
    this.server.unref();
    this.ready = new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.socketPath, () => resolve());
    });
  }

  /** Calls `onArrival` for each stdio connection of launch `id` until {@link forget}. */
  expect(id: number, onArrival: Arrival): void {
    this.waiting.set(id, onArrival);
  }

  forget(id: number): void {
    this.waiting.delete(id);
  }

  close(): void {
    this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private accept(socket: net.Socket): void {
    socket.on('error', () => socket.destroy());
    const timer = setTimeout(() => socket.destroy(), HEADER_TIMEOUT_MS);
    timer.unref();
    const onReadable = (): void => {
      // read(n) takes exactly the header; any output already behind it stays buffered for the consumer.
      const header = socket.read(STDIO_HEADER_BYTES) as Buffer | null;
      if (!header) return;
      socket.off('readable', onReadable);
      clearTimeout(timer);
      const stream = header[4] as number;
      const arrival = this.waiting.get(header.readUInt32BE(0));
      if (!arrival || stream > 2) socket.destroy();
      else arrival(stream as 0 | 1 | 2, socket);
    };
    socket.on('readable', onReadable);
    socket.once('end', () => {
      if (socket.listenerCount('readable') > 0) socket.destroy(); // closed before its header
    });
  }
}
