/**
 * ssh's escape sequences on a terminal session, as a pure state machine over typed bytes: after a
 * newline (or at the start), the escape character (default `~`) followed by `.` disconnects, `?` lists
 * the escapes, and a second escape character sends one. Any other byte after it sends both, as ssh does.
 */

export type EscapeEvent =
  { readonly type: 'data'; readonly bytes: Buffer } | { readonly type: 'disconnect' } | { readonly type: 'help' };

const CR = 0x0d;
const LF = 0x0a;

export class EscapeFilter {
  private readonly escape: number | null;
  private atLineStart = true;
  private pending = false;
  private disconnected = false;

  /** `escape` is one byte, or null for `-e none` (every byte passes through). */
  constructor(escape: number | null) {
    this.escape = escape;
  }

  /** The events for one chunk of typed input, in order. Nothing after a disconnect is returned, ever. */
  feed(chunk: Buffer): EscapeEvent[] {
    if (this.disconnected) return [];
    if (this.escape === null) return chunk.length ? [{ type: 'data', bytes: chunk }] : [];
    const events: EscapeEvent[] = [];
    let out: number[] = [];
    const flush = (): void => {
      if (out.length) events.push({ type: 'data', bytes: Buffer.from(out) });
      out = [];
    };
    for (const byte of chunk) {
      if (this.pending) {
        this.pending = false;
        if (byte === 0x2e) {
          flush();
          this.disconnected = true;
          events.push({ type: 'disconnect' });
          return events;
        }
        if (byte === 0x3f) {
          flush();
          events.push({ type: 'help' });
          this.atLineStart = true;
          continue;
        }
        if (byte !== this.escape) out.push(this.escape);
        out.push(byte);
        this.atLineStart = byte === CR || byte === LF;
        continue;
      }
      if (this.atLineStart && byte === this.escape) {
        this.pending = true;
        continue;
      }
      out.push(byte);
      this.atLineStart = byte === CR || byte === LF;
    }
    flush();
    return events;
  }
}

/** Parses `-e`: "none", one character, or ssh's `^X` notation for a control character. */
export function parseEscapeChar(text: string): number | null {
  if (text === 'none') return null;
  if (text.length === 1 && text.charCodeAt(0) < 0x80) return text.charCodeAt(0);
  if (text.length === 2 && text[0] === '^') {
    const code = text.toUpperCase().charCodeAt(1);
    if (code >= 0x40 && code <= 0x5f) return code - 0x40;
  }
  throw new Error(`escape character must be "none", one ASCII character or ^X, not ${JSON.stringify(text)}`);
}

/** What `~?` prints (in raw mode, so lines end in CR LF). */
export function escapeHelp(escape: number): string {
  const e = String.fromCharCode(escape);
  return [
    'Supported escape sequences:',
    ` ${e}.   - terminate connection`,
    ` ${e}?   - this message`,
    ` ${e}${e}   - send the escape character by typing it twice`,
    '(Note that escapes are only recognized immediately after newline.)',
    '',
  ].join('\r\n');
}
