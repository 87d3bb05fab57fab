import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { TerminalSize } from '../server-channel.js';

/** Bytes of recording waiting for the disk before the terminal stops being read. */
const RECORDING_BACKLOG_BYTES = 1024 * 1024;

export interface RecordingHeader {
  readonly cols: number;
  readonly rows: number;
  readonly term: string;
  readonly shell: string | undefined;
  /** What ran, for the header's title. */
  readonly command: string;
}

/**
 * One terminal session as an asciicast v2 file (the format `asciinema play` reads): a JSON header line,
 * then one JSON array per event, `[seconds, "o", text]` for output, `"i"` for input (only with
 * --record-input) and `"r"` with `"COLSxROWS"` for a resize. Created 0600 with O_EXCL, so a recording is
 * never appended to another file or readable by others. Output is decoded as UTF-8 with a decoder per
 * direction, so a character split across two reads is written whole.
 */
export class AsciicastRecorder {
  readonly file: string;
  private readonly stream: WriteStream;
  private readonly startedAt = performance.now();
  private readonly decoders = { o: new StringDecoder('utf8'), i: new StringDecoder('utf8') };
  private readonly recordInput: boolean;
  private failed = false;

  /** Starts a recording in `dir`; `onBacklog(true|false)` says when the disk falls behind and catches up. */
  constructor(
    dir: string,
    header: RecordingHeader,
    recordInput: boolean,
    private readonly onBacklog: (blocked: boolean) => void,
  ) {
    const stamp = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    this.file = path.join(dir, `${stamp}-${randomBytes(6).toString('hex')}.cast`);
    this.recordInput = recordInput;
    this.stream = createWriteStream(this.file, { flags: 'wx', mode: 0o600 });
    this.stream.on('error', () => {
      // A full or vanished disk ends the recording, not the session; the audit log keeps the file name.
      this.failed = true;
      this.onBacklog(false);
    });
    this.stream.on('drain', () => this.onBacklog(false));
    const env: Record<string, string> = { TERM: header.term };
    if (header.shell) env.SHELL = header.shell;
    this.line({
      version: 2,
      width: header.cols,
      height: header.rows,
      timestamp: Math.floor(Date.now() / 1000),
      env,
      title: header.command,
    });
  }

  output(chunk: Buffer): void {
    this.event('o', chunk);
  }

  input(chunk: Buffer): void {
    if (this.recordInput) this.event('i', chunk);
  }

  resize(size: TerminalSize): void {
    this.line([this.elapsed(), 'r', `${size.cols}x${size.rows}`]);
  }

  /** Writes what the decoders still hold and closes the file. */
  close(): Promise<void> {
    for (const code of ['o', 'i'] as const) {
      const rest = this.decoders[code].end();
      if (rest && (code === 'o' || this.recordInput)) this.line([this.elapsed(), code, rest]);
    }
    return new Promise((resolve) => {
      if (this.failed) resolve();
      else this.stream.end(() => resolve());
    });
  }

  private event(code: 'o' | 'i', chunk: Buffer): void {
    const text = this.decoders[code].write(chunk);
    if (text) this.line([this.elapsed(), code, text]);
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.startedAt) / 1000;
  }

  private line(value: unknown): void {
    if (this.failed) return;
    this.stream.write(`${JSON.stringify(value)}\n`);
    if (this.stream.writableLength > RECORDING_BACKLOG_BYTES) this.onBacklog(true);
  }
}
