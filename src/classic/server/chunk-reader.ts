import type { Socket } from 'node:net';

/**
 * Hands a socket's reads out one at a time, in order. The classic formats
 * give meaning to read boundaries (one read = one command), so chunks are
 * kept as they arrived, never merged. The socket is paused whenever a chunk
 * waits unclaimed, so a client that sends ahead is held back by TCP instead
 * of filling memory.
 */
export class ChunkReader {
  private readonly socket: Socket;
  private readonly queue: Buffer[] = [];
  private waiter: ((chunk: Buffer | null) => void) | null = null;
  private closed = false;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      const waiter = this.waiter;
      if (waiter) {
        this.waiter = null;
        waiter(chunk);
        return;
      }
      this.queue.push(chunk);
      socket.pause();
    });
    // docs/CLASSIC.md: an empty read means the client closed.
    const onGone = (): void => {
      this.closed = true;
      const waiter = this.waiter;
      this.waiter = null;
      waiter?.(null);
    };
    socket.once('end', onGone);
    socket.once('close', onGone);
  }

  /** The next read, or null once the client has closed and everything queued was taken. */
  next(): Promise<Buffer | null> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.socket.resume();
    });
  }

  /** Like next(), but gives up after `timeoutMs` with 'timeout' (a later read stays queued for next()). */
  nextWithin(timeoutMs: number): Promise<Buffer | null | 'timeout'> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        this.socket.pause();
        resolve('timeout');
      }, timeoutMs);
      this.waiter = (chunk) => {
        clearTimeout(timer);
        resolve(chunk);
      };
      this.socket.resume();
    });
  }

  /** Puts back bytes read past the end of the current request; they are the next read. */
  unshift(chunk: Buffer): void {
    if (chunk.length > 0) this.queue.unshift(chunk);
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
