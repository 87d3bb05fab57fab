import { loadNativeSpawn } from '../process/native-spawn-addon.js';
import type { PtyOutputSource } from './terminal-output.js';

/** The addon's terminal reader (native/pty-reader.c states its contract). */
export interface PtyReaderAddon {
  readPty(fd: number, onReadable: () => void): object;
  takePty(reader: object): Buffer | null;
  stopPty(reader: object): void;
}

/** The addon's reader, or null without the addon (or with one built before it had a reader). */
export function addonPtyReader(): PtyReaderAddon | null {
  const addon = loadNativeSpawn().addon as Partial<PtyReaderAddon> | null;
  return typeof addon?.readPty === 'function' ? (addon as PtyReaderAddon) : null;
}

/**
 * A terminal's output read by the addon instead of by node-pty: on the loop while the terminal is quiet,
 * on the addon's thread during a burst (native/pty-reader.c says why: `cat` through a terminal, and a
 * keystroke's echo). Each take hands over everything gathered since the last, up to 256 KiB; pausing
 * just stops taking, and reading stops once that much is held.
 *
 * The end comes when no slave side is open any more and every byte was read (EIO): then `onEnd` runs once.
 */
export class ThreadedPtyReads implements PtyOutputSource {
  private readonly addon: PtyReaderAddon;
  private readonly reader: object;
  private readonly onEnd: () => void;
  private listener: ((data: Buffer) => void) | null = null;
  private paused = false;
  private stopped = false;

  constructor(addon: PtyReaderAddon, masterFd: number, onEnd: () => void) {
    this.addon = addon;
    this.onEnd = onEnd;
    this.reader = addon.readPty(masterFd, () => this.take());
  }

  onData(listener: (data: Buffer) => void): { dispose(): void } {
    this.listener = listener;
    return { dispose: () => (this.listener = null) };
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.take();
  }

  /** Hands over what the thread still holds, paused or not, and stops it (the session is over). */
  stop(): void {
    if (this.stopped) return;
    const last = this.addon.takePty(this.reader);
    if (last && last.length > 0) this.listener?.(last);
    this.end();
  }

  private take(): void {
    if (this.paused || this.stopped) return;
    const chunk = this.addon.takePty(this.reader);
    if (chunk === null) {
      this.end();
      this.onEnd();
    } else if (chunk.length > 0) {
      this.listener?.(chunk);
    }
  }

  private end(): void {
    this.stopped = true;
    this.addon.stopPty(this.reader);
  }
}
