import type { PtyRequest } from '../protocol/messages.js';
import type { CallTransport } from './client-channel.js';
import { ExecCall } from './exec-call.js';

/** The terminal a command runs on (PROTOCOL.md §11.1). */
export interface PtyOptions {
  /** Terminal type, becomes the remote TERM (default: the local TERM, else "xterm-256color"). */
  term?: string;
  /** Size in character cells (default 80 x 24). */
  cols?: number;
  rows?: number;
  /** Size in pixels, 0 for unknown (default). */
  widthPx?: number;
  heightPx?: number;
}

/** The `pty` field of `open` for these options, with their defaults filled in. */
export function ptyRequest(options: PtyOptions): PtyRequest {
  return {
    term: options.term ?? (process.env.TERM || 'xterm-256color'),
    cols: options.cols ?? 80,
    rows: options.rows ?? 24,
    ...(options.widthPx !== undefined && { widthPx: options.widthPx }),
    ...(options.heightPx !== undefined && { heightPx: options.heightPx }),
  };
}

/**
 * A command running on a remote terminal: an {@link ExecCall} whose output is all on `stdout` (a terminal
 * merges stderr into it), whose stdin bytes are keystrokes (Ctrl-C is "\x03"; `stdin.end()` does not end
 * the session, type Ctrl-D "\x04" for that), and which can be resized.
 */
export class TerminalCall extends ExecCall {
  private readonly transport: CallTransport;

  constructor(channelId: number, link: CallTransport, windowBytes: number) {
    super(channelId, link, windowBytes);
    this.transport = link;
  }

  /** Sets the remote terminal's size; its foreground program gets SIGWINCH. */
  resize(cols: number, rows: number, pixels: { widthPx?: number; heightPx?: number } = {}): void {
    if (!this.running) return;
    this.transport.send({ type: 'resize', ch: this.channelId, cols, rows, ...pixels });
  }
}
