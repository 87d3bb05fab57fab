import { closeSync, openSync, writeSync } from 'node:fs';
import tty from 'node:tty';

/**
 * Questions asked of the person at the controlling terminal (/dev/tty), as ssh asks them: stdin and
 * stdout may be pipes carrying a remote command's data, so neither is touched. Each question opens
 * the terminal, reads one answer and closes it again; nothing is left reading, so the process can exit.
 */

/** Opens /dev/tty for reading and writing, or returns null when this process has no terminal. */
function openTerminal(): { input: tty.ReadStream; outFd: number } | null {
  if (process.env.CI) return null;
  let inFd: number;
  let outFd: number;
  try {
    inFd = openSync('/dev/tty', 'r');
  } catch {
    return null;
  }
  try {
    outFd = openSync('/dev/tty', 'w');
  } catch {
    closeSync(inFd);
    return null;
  }
  if (!tty.isatty(inFd)) {
    closeSync(inFd);
    closeSync(outFd);
    return null;
  }
  return { input: new tty.ReadStream(inFd), outFd };
}

/** True when a question could be asked at all. */
export function hasTerminal(): boolean {
  const terminal = openTerminal();
  if (!terminal) return false;
  terminal.input.destroy();
  closeSync(terminal.outFd);
  return true;
}

/**
 * Shows `question` and reads one line with echo (the terminal's own line editing applies). Resolves
 * with the line, or null at end of input or when there is no terminal. Ctrl-C is the terminal's
 * SIGINT, which ends framesh as it ends ssh at this prompt.
 */
export function askLine(question: string): Promise<string | null> {
  const terminal = openTerminal();
  if (!terminal) return Promise.resolve(null);
  writeSync(terminal.outFd, question);
  return readUntilNewline(terminal, false);
}

/**
 * Shows `question` and reads one line without echo (a passphrase). Resolves with it, or null when
 * the person pressed Ctrl-D on an empty line or there is no terminal; Ctrl-C restores the terminal
 * and re-raises SIGINT.
 */
export function askSecret(question: string): Promise<string | null> {
  const terminal = openTerminal();
  if (!terminal) return Promise.resolve(null);
  writeSync(terminal.outFd, question);
  return readUntilNewline(terminal, true);
}

function readUntilNewline(terminal: { input: tty.ReadStream; outFd: number }, secret: boolean): Promise<string | null> {
  const { input, outFd } = terminal;
  const restore = (): void => {
    if (secret && input.isRaw) input.setRawMode(false);
  };
  // A raw terminal left behind by a crash would not echo anything the person types afterwards.
  process.once('exit', restore);
  if (secret) input.setRawMode(true);
  return new Promise((resolve) => {
    let settled = false;
    let text = '';
    const finish = (answer: string | null, signal?: NodeJS.Signals): void => {
      // Settle first: destroying the stream emits 'end'/'close', which must not answer "no" instead
      // (the first-contact prompt once lost every "yes" that way).
      if (settled) return;
      settled = true;
      restore();
      process.off('exit', restore);
      if (secret) writeSync(outFd, '\n');
      input.destroy();
      closeSync(outFd);
      if (signal) {
        process.kill(process.pid, signal);
        return;
      }
      resolve(answer);
    };
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(text);
        if (!secret) {
          text += ch;
          continue;
        }
        if (ch === '\x03') return finish(null, 'SIGINT');
        if (ch === '\x04') {
          if (text.length === 0) return finish(null);
          continue;
        }
        if (ch === '\x7f' || ch === '\b') text = text.slice(0, -1);
        else if (ch === '\x15') text = '';
        else text += ch;
      }
    });
    input.once('end', () => finish(text.length > 0 ? text : null));
    input.once('error', () => finish(null));
  });
}
