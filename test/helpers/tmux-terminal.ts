/**
 * A real pseudo-terminal for tests: one tmux server per terminal on its own
 * socket (so nothing touches a user's tmux), driven with `send-keys` and read
 * with `capture-pane`, as a person would type and look. Waits are bounded and
 * poll the screen; nothing sleeps for a fixed time.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from './temp-dirs.js';

const run = promisify(execFile);
const POLL_MS = 40;
const open = new Set<TmuxTerminal>();

after(() => {
  for (const terminal of open) terminal.kill();
});

/** True when tmux is installed (tests skip, saying so, without it). */
export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The status the wrapper wrote, once the whole line is there. */
function readStatus(file: string): number | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    return text.endsWith('\n') ? Number(text.trim()) : undefined;
  } catch {
    return undefined;
  }
}

/** Quotes one word for /bin/sh. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs the program under a small sh that writes its exit status to a file. tmux 3.3a's own report is not
 * reliable: it can mark a pane dead on the pty's end of file before its SIGCHLD handler has read the
 * status, and under load we saw that status never arrive (pane_dead 1, pane_dead_status empty, for
 * 60 s; tmux PR #4841). The trap is a handler, not an ignore, so the program still gets the default
 * SIGINT/SIGQUIT/SIGTSTP (handlers are reset at exec) while the wrapper outlives a Ctrl-C to report it.
 */
const STATUS_WRAPPER = 'trap : INT QUIT TSTP HUP TERM; "$@"; echo "$?" > "$FRAMESH_TEST_STATUS_FILE"';

export class TmuxTerminal {
  private readonly socket: string;
  private readonly statusFile: string;
  private closed = false;

  private constructor(socket: string, statusFile: string) {
    this.socket = socket;
    this.statusFile = statusFile;
  }

  /**
   * Runs `argv` in a fresh terminal (160x50 unless `size` says otherwise) with exactly `env` added to this process's environment
   * (minus CI, which would make framesh think no person is there). The pane stays after the
   * program ends so its last screen and exit status can be read.
   */
  static async start(
    argv: readonly string[],
    env: NodeJS.ProcessEnv = {},
    cwd = process.cwd(),
    size: { cols: number; rows: number } = { cols: 160, rows: 50 },
  ): Promise<TmuxTerminal> {
    const dir = tempDir('framesh-tmux-');
    const socket = path.join(dir, 'sock');
    const conf = path.join(dir, 'tmux.conf');
    // remain-on-exit must be set before the program can end, so it goes in the config the server starts with.
    writeFileSync(conf, 'set -g remain-on-exit on\nset -g history-limit 5000\nset -g status off\n');
    const statusFile = path.join(dir, 'exit-status');
    const assignments = Object.entries({ ...env, FRAMESH_TEST_STATUS_FILE: statusFile }).map(
      ([k, v]) => `${k}=${shellQuote(v ?? '')}`,
    );
    const command = [
      'exec',
      'env',
      '-u',
      'CI',
      ...assignments,
      'sh',
      '-c',
      shellQuote(STATUS_WRAPPER),
      'sh',
      ...argv.map(shellQuote),
    ].join(' ');
    const terminal = new TmuxTerminal(socket, statusFile);
    open.add(terminal);
    await run(
      'tmux',
      [
        '-S',
        socket,
        '-f',
        conf,
        'new-session',
        '-d',
        '-x',
        String(size.cols),
        '-y',
        String(size.rows),
        '-c',
        cwd,
        command,
      ],
      {
        env: { ...process.env, TERM: 'xterm-256color' },
      },
    );
    return terminal;
  }

  /** Types text; `keys` names such as Enter or C-c go through as tmux key names. */
  async type(text: string): Promise<void> {
    await run('tmux', ['-S', this.socket, 'send-keys', '-t', '0', '-l', text]);
  }

  async press(...keys: string[]): Promise<void> {
    await run('tmux', ['-S', this.socket, 'send-keys', '-t', '0', ...keys]);
  }

  /** The whole screen and scrollback, as text. */
  async screen(): Promise<string> {
    const { stdout } = await run('tmux', ['-S', this.socket, 'capture-pane', '-p', '-J', '-S', '-5000', '-t', '0']);
    return stdout;
  }

  /** Waits (bounded) until the screen matches; returns the screen. */
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const text = await this.screen();
      if (pattern.test(text)) return text;
      if (performance.now() > deadline)
        throw new Error(`no ${pattern} on the terminal within ${timeoutMs} ms; it shows:\n${text}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** Waits (bounded) for the program to end; its exit status (128+N for a signal, as sh reports). */
  async exitStatus(timeoutMs = 60_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const written = readStatus(this.statusFile);
      if (written !== undefined) return written;
      if (performance.now() > deadline)
        throw new Error(`the program on the terminal did not end within ${timeoutMs} ms:\n${await this.screen()}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** Stops this terminal's tmux server (and with it the program, which gets SIGHUP). */
  kill(): void {
    if (this.closed) return;
    this.closed = true;
    open.delete(this);
    try {
      execFileSync('tmux', ['-S', this.socket, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  }
}
