import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CLI_ARGS, tempHome } from '../helpers/cli.js';
import {
  startHostileServer,
  startPythonClassicServer,
  type HostileServer,
  type PythonClassicServer,
} from './classic-client-helpers.js';

const PTY_RUN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peers/pty_run.py');

/** `framesh classic` on a real pseudo-terminal: the `>> ` prompt and Ctrl-C, as a person meets them. */
describe('framesh classic at a terminal', { concurrency: 2 }, () => {
  let server: PythonClassicServer;
  let silent: HostileServer;
  /** Terminal drivers still running when a test fails are stopped (by PID) in after(); their pty hangs up the CLI. */
  const drivers = new Set<ChildProcessWithoutNullStreams>();
  before(async () => {
    [server, silent] = await Promise.all([startPythonClassicServer(['--format', 'json']), startHostileServer({})]);
  });
  after(async () => {
    for (const driver of drivers) if (driver.exitCode === null && driver.signalCode === null) driver.kill('SIGKILL');
    await Promise.all([server?.stop(), silent?.stop()]);
  });

  /** The CLI on a terminal; `until` waits (bounded) for its screen output to match, after what was already matched. */
  function onTerminal(target: string): {
    child: ChildProcessWithoutNullStreams;
    until(pattern: RegExp): Promise<string>;
    press(keys: string): void;
  } {
    const child = spawn('python3', [PTY_RUN, process.execPath, ...CLI_ARGS, 'classic', target], {
      env: { ...process.env, FRAMESH_HOME: tempHome(), TERM: 'dumb' },
    });
    drivers.add(child);
    let screen = '';
    let seen = 0;
    child.stdout.on('data', (c: Buffer) => {
      screen += c.toString('utf8');
      child.stdout.emit('screen');
    });
    return {
      child,
      press: (keys) => child.stdin.write(keys),
      until: async (pattern) => {
        const deadline = performance.now() + 15_000;
        for (;;) {
          const match = pattern.exec(screen.slice(seen));
          if (match) {
            seen += match.index + match[0].length;
            return screen;
          }
          const left = deadline - performance.now();
          if (left <= 0)
            throw new Error(`no ${pattern} on the terminal within 15 s; it shows: ${JSON.stringify(screen)}`);
          const timer = setTimeout(() => child.stdout.emit('screen'), left);
          await once(child.stdout, 'screen');
          clearTimeout(timer);
        }
      },
    };
  }

  async function exitCode(child: ChildProcessWithoutNullStreams): Promise<number | null> {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    return code;
  }

  it('shows the >> prompt, runs lines, puts a reply without a final newline on its own line, and Ctrl-C at the prompt only clears it', async () => {
    const term = onTerminal(server.target);
    await term.until(/>> /);
    term.press('echo hi\r');
    await term.until(/\r*\nhi\r*\n>> /);
    term.press("printf 'no newline'\r");
    await term.until(/no newline\r*\n>> /);
    term.press('\x03');
    await term.until(/\^C\r*\n>> /);
    term.press('exit\r');
    assert.equal(await exitCode(term.child), 0);
  });

  it('Ctrl-C while a reply is awaited leaves with 130 and says why', async () => {
    const term = onTerminal(silent.target);
    await term.until(/>> /);
    term.press('no reply for this\r');
    await term.until(/no reply for this\r*\n/);
    term.press('\x03');
    await term.until(/left while waiting for a reply/);
    assert.equal(await exitCode(term.child), 130);
  });
});
