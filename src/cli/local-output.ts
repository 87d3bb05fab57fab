import type { Writable } from 'node:stream';
import { outputWriter } from './output-decoder.js';

/**
 * The local end of a command's output: stdout and stderr of this process. When a reader leaves
 * (`framesh exec h -- seq 1 10000000 | head -2`), writing gives EPIPE; without a listener Node would
 * throw it as an unhandled 'error' with a stack trace. Here it becomes `closed`, which the command
 * turns into a quiet exit, and everything still arriving is dropped instead of queued.
 */
export class LocalOutput {
  /** Resolves once stdout or stderr has failed (EPIPE, or any other write error). */
  readonly closed: Promise<void>;
  private isClosed = false;
  /** Sources paused for backpressure; all resume (to be drained and dropped) when the output closes. */
  private readonly paused = new Set<() => void>();

  constructor(streams: readonly Writable[] = [process.stdout, process.stderr]) {
    let markClosed!: () => void;
    this.closed = new Promise((resolve) => {
      markClosed = resolve;
    });
    // Kept on (not once) for the life of the process: every later write to the broken stream fails again.
    const onError = (): void => {
      if (this.isClosed) return;
      this.isClosed = true;
      for (const resume of [...this.paused]) resume();
      markClosed();
    };
    for (const stream of streams) stream.on('error', onError);
  }

  get isOutputClosed(): boolean {
    return this.isClosed;
  }

  /**
   * Streams remote output to a local stream, honouring its backpressure; after the output closed,
   * chunks are read and dropped so the remote end is never left waiting for window credit.
   */
  pipe(source: NodeJS.ReadableStream, target: Writable, encoding: string | undefined): Promise<void> {
    const writer = outputWriter(target, encoding);
    return new Promise((resolve) => {
      source.on('data', (chunk: Buffer) => {
        if (this.isClosed || writer.write(chunk)) return;
        source.pause();
        const resume = (): void => {
          target.off('drain', resume);
          this.paused.delete(resume);
          source.resume();
        };
        target.once('drain', resume);
        this.paused.add(resume);
      });
      source.once('end', () => {
        if (!this.isClosed) writer.end();
        resolve();
      });
    });
  }
}
