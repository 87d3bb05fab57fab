/**
 * A real terminal for tests: a private tmux server (its own socket, so nothing touches a user's tmux)
 * with one window of a fixed size running a local shell. Tests type with send-keys and read the screen
 * with capture-pane, waiting on screen content in a bounded poll loop, never on fixed sleeps.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const servers = new Set<Tmux>();
after(async () => {
  await Promise.allSettled([...servers].map((t) => t.kill()));
});

export interface TmuxOptions {
  readonly cols?: number;
  readonly rows?: number;
  /** What runs in the window (default: a plain local bash with prompt "$ "). */
  readonly command?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export class Tmux {
  readonly socket = `framesh-test-${process.pid}-${randomBytes(4).toString('hex')}`;

  private constructor(private readonly env: NodeJS.ProcessEnv) {}

  static async start(options: TmuxOptions = {}): Promise<Tmux> {
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, TERM: 'xterm-256color' };
    delete env.TMUX;
    const tmux = new Tmux(env);
    servers.add(tmux);
    const command = options.command ?? "exec env PS1='$ ' bash --norc --noprofile";
    await tmux.tmux(
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-s',
      'main',
      '-x',
      String(options.cols ?? 100),
      '-y',
      String(options.rows ?? 30),
      command,
    );
    // Keep the window at the size the test asks for, whatever clients attach.
    await tmux.tmux('set-option', '-g', 'window-size', 'manual');
    await tmux.tmux('set-option', '-g', 'remain-on-exit', 'on');
    return tmux;
  }

  tmux(...args: string[]): Promise<{ stdout: string }> {
    return run('tmux', ['-L', this.socket, ...args], { env: this.env, timeout: 10_000 });
  }

  /** Types text literally (no key names), then Enter unless `enter` is false. */
  async type(text: string, enter = true): Promise<void> {
    if (text) await this.tmux('send-keys', '-t', 'main', '-l', text);
    if (enter) await this.tmux('send-keys', '-t', 'main', 'Enter');
  }

  /** Sends key names: "C-c", "C-z", "Escape", "Enter". */
  async keys(...names: string[]): Promise<void> {
    await this.tmux('send-keys', '-t', 'main', ...names);
  }

  async screen(): Promise<string> {
    return (await this.tmux('capture-pane', '-p', '-t', 'main')).stdout;
  }

  async resize(cols: number, rows: number): Promise<void> {
    await this.tmux('resize-window', '-t', 'main', '-x', String(cols), '-y', String(rows));
  }

  /** The pid of the process the window started (the local shell, or `command`). */
  async panePid(): Promise<number> {
    return Number((await this.tmux('display-message', '-p', '-t', 'main', '#{pane_pid}')).stdout.trim());
  }

  /** Polls the screen until `pattern` matches (bounded); the screen is in the error when it never does. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    for (;;) {
      screen = await this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`screen never matched ${pattern} within ${timeoutMs} ms:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Runs `echo` of a computed marker and waits for its result: the shell in front is reading commands.
   * Typed again (up to three times) when it does not show: keys typed while a full-screen program is
   * exiting (vim after `:wq`) are read by it as typeahead and dropped with it. A repeat that also
   * reaches the shell only prints the marker twice.
   */
  async ready(tag: string, timeoutMs = 15_000): Promise<string> {
    const marker = new RegExp(`^${tag}-42\\s*$`, 'm');
    for (let attempt = 1; ; attempt++) {
      await this.type(`echo ${tag}-$((40+2))`);
      try {
        return await this.waitFor(marker, attempt < 3 ? timeoutMs / 3 : timeoutMs);
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  }

  async kill(): Promise<void> {
    servers.delete(this);
    await this.tmux('kill-server').catch(() => {});
    // tmux leaves the socket file of a killed server behind; every test run added a dozen to /tmp/tmux-UID.
    rmSync(path.join(this.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, this.socket), { force: true });
  }
}
