/**
 * startTerminal (server/pty/terminal-process.ts) on real node-pty terminals, with and without the
 * addon's exit watch and its terminal reader: without the watch (the addon not built, PROTOCOL.md §11.3)
 * the session still ends with every byte, after node-pty's 200 ms timer; without the reader node-pty
 * reads the terminal on the event loop, as before the addon had one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadNativeSpawn } from '../../src/server/process/native-spawn-addon.js';
import { loadPtyModule } from '../../src/server/pty/pty-module.js';
import { startTerminal, type TerminalStartOptions } from '../../src/server/pty/terminal-process.js';
import { addonPtyReader } from '../../src/server/pty/threaded-pty-reads.js';
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

/**
 * Runs `command` on a terminal; its output, exit status, how long until the exit and who read it. With
 * `pausedUntil`, the output is not read until that much of it waits (the window shut, as a slow client).
 */
async function run(command: string, options: TerminalStartOptions = {}, pausedUntil = 0) {
  const started = performance.now();
  const proc = await startTerminal(pty!, spec(command), 'xterm', size, options);
  const chunks: Buffer[] = [];
  if (pausedUntil > 0) {
    const deadline = performance.now() + 10_000;
    while (proc.output.readableLength < pausedUntil) {
      if (performance.now() > deadline) throw new Error('the output never filled up');
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  proc.output.on('data', (c: Buffer) => chunks.push(c));
  const status = await proc.exited;
  const text = Buffer.concat(chunks).toString();
  return { status, text, ms: performance.now() - started, reader: proc.outputReader };
}

/** `seq 1 N` as a terminal prints it: every line, in order, ending in CR LF. */
function assertSeq(text: string, count: number): void {
  const lines = text.split('\r\n');
  assert.equal(lines.length, count + 1, `${lines.length - 1} lines of ${count}`);
  for (let i = 0; i < count; i++) if (lines[i] !== String(i + 1)) assert.fail(`line ${i + 1} is ${lines[i]}`);
}

describe('startTerminal', { skip: pty ? false : 'node-pty did not load' }, () => {
  it("without an exit watch: every byte, then the exit after node-pty's timer", async () => {
    const { status, text, ms } = await run('seq 1 20000', { exitWatch: null });
    assert.deepEqual(status, { code: 0, signal: null });
    const lines = text.split('\r\n');
    assert.equal(lines.length, 20001);
    assert.equal(lines.at(-2), '20000');
    // A lower bound only: it shows the timer path ran, and a slow machine cannot break it.
    assert.ok(ms >= 190, `exit after ${ms.toFixed(0)} ms: the timer path did not run`);
  });

  it('an exit watch that never calls (a pidfd that cannot be had): the same', async () => {
    const { status, text } = await run('printf tail; exit 3', { exitWatch: () => {} });
    assert.deepEqual(status, { code: 3, signal: null });
    assert.equal(text, 'tail');
  });

  it("with the addon's watch and reader: every byte and the exit status", { skip: !addonPtyReader() }, async () => {
    const { status, text, reader } = await run('seq 1 20000; exit 5');
    assert.equal(reader, 'addon');
    assert.deepEqual(status, { code: 5, signal: null });
    assertSeq(text, 20000);
  });

  it('the reader: 7 MB in order', { skip: !addonPtyReader() }, async () => {
    const { status, text, reader } = await run('seq 1 1000000');
    assert.equal(reader, 'addon');
    assert.deepEqual(status, { code: 0, signal: null });
    assertSeq(text, 1000000);
  });

  it('the reader, the output left unread until 1 MiB waits: nothing lost', { skip: !addonPtyReader() }, async () => {
    const { status, text } = await run('seq 1 500000; exit 6', {}, 1024 * 1024);
    assert.deepEqual(status, { code: 6, signal: null });
    assertSeq(text, 500000);
  });

  it(
    "the addon's watch without its reader: node-pty reads, every byte",
    { skip: !loadNativeSpawn().addon },
    async () => {
      const { status, text, reader } = await run('seq 1 20000; exit 5', { ptyReader: null });
      assert.equal(reader, 'node-pty');
      assert.deepEqual(status, { code: 5, signal: null });
      assertSeq(text, 20000);
    },
  );
});
