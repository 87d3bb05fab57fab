/**
 * startTerminal (server/pty/terminal-process.ts) on real node-pty terminals, with and without the
 * addon's exit watch: without it (the addon not built, PROTOCOL.md §11.3) the session still ends with
 * every byte, after node-pty's 200 ms timer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadNativeSpawn } from '../../src/server/process/native-spawn-addon.js';
import { loadPtyModule } from '../../src/server/pty/pty-module.js';
import { startTerminal, type ExitWatch } from '../../src/server/pty/terminal-process.js';
import { tempDir } from '../helpers/temp-dirs.js';

const pty = loadPtyModule('node-pty');
const cwd = tempDir('framesh-terminal-process-');
const spec = (command: string) => ({
  file: '/bin/sh',
  args: ['-c', command],
  cwd,
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd },
});
const size = { cols: 80, rows: 24 };

/** Runs `command` on a terminal; its output, exit status and how long until the exit. */
async function run(command: string, exitWatch?: ExitWatch | null) {
  const started = performance.now();
  const proc = await startTerminal(pty!, spec(command), 'xterm', size, ...(exitWatch === undefined ? [] : [exitWatch]));
  const chunks: Buffer[] = [];
  proc.output.on('data', (c: Buffer) => chunks.push(c));
  const status = await proc.exited;
  return { status, text: Buffer.concat(chunks).toString(), ms: performance.now() - started };
}

describe('startTerminal', { skip: pty ? false : 'node-pty did not load' }, () => {
  it("without an exit watch: every byte, then the exit after node-pty's timer", async () => {
    const { status, text, ms } = await run('seq 1 20000', null);
    assert.deepEqual(status, { code: 0, signal: null });
    const lines = text.split('\r\n');
    assert.equal(lines.length, 20001);
    assert.equal(lines.at(-2), '20000');
    // A lower bound only: it shows the timer path ran, and a slow machine cannot break it.
    assert.ok(ms >= 190, `exit after ${ms.toFixed(0)} ms: the timer path did not run`);
  });

  it('an exit watch that never calls (a pidfd that cannot be had): the same', async () => {
    const { status, text } = await run('printf tail; exit 3', () => {});
    assert.deepEqual(status, { code: 3, signal: null });
    assert.equal(text, 'tail');
  });

  it("with the addon's watch: every byte and the exit status", { skip: !loadNativeSpawn().addon }, async () => {
    const { status, text } = await run('seq 1 20000; exit 5');
    assert.deepEqual(status, { code: 5, signal: null });
    assert.equal(text.split('\r\n').at(-2), '20000');
  });
});
