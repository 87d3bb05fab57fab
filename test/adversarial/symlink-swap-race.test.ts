/**
 * Issue 9, defect 4: flipping a directory inside the root to a symbolic link that leads out, while puts
 * and mkdirs go through it, made the server write uploads, partial files and directories outside the
 * root. A child process flips `root/flip` as fast as it can for a bounded number of rounds while the
 * client keeps writing through it; afterwards nothing may exist outside the root.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { startTestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

const FLIPPER = `
const fs = require('node:fs');
const [dir, parked, outside, rounds] = process.argv.slice(1);
process.stdout.write('ready\\n');
for (let i = 0; i < Number(rounds); i++) {
  try { fs.renameSync(dir, parked); } catch {}
  try { fs.symlinkSync(outside, dir); } catch {}
  try { fs.unlinkSync(dir); } catch {}
  try { fs.renameSync(parked, dir); } catch {}
}
`;

describe('a directory flipped to a symbolic link during put and mkdir', () => {
  it('never lets anything land outside the root (bounded race)', { timeout: 90_000 }, async () => {
    const base = tempDir('framesh-swap-race-');
    const root = path.join(base, 'root');
    const outside = path.join(base, 'outside');
    const local = path.join(base, 'local');
    for (const dir of [path.join(root, 'flip'), outside, local]) mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(local, 'payload'), 'must stay inside the root\n');
    const server = await startTestServer({ root });
    const client = await server.client();
    const flipper = spawn(
      process.execPath,
      ['-e', FLIPPER, path.join(root, 'flip'), path.join(root, 'parked'), outside, '2000000'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = once(flipper, 'exit');
    try {
      await once(flipper.stdout, 'data');
      let stored = 0;
      // At least 150 rounds, and on until one operation got through between flips (how often one does
      // depends on the scheduler: from 1 to 250 of 450 here), bounded at 3000 rounds.
      for (let round = 0; (round < 150 || stored === 0) && round < 3000 && flipper.exitCode === null; round++) {
        const outcomes = await Promise.allSettled([
          client.put(path.join(local, 'payload'), `flip/file-${round % 7}.txt`),
          client.put(path.join(local, 'payload'), `flip/deep/er/file-${round % 5}.txt`, { mkdirs: true }),
          client.mkdir(`flip/made-${round % 3}/inner`),
        ]);
        stored += outcomes.filter((o) => o.status === 'fulfilled').length;
      }
      assert.ok(stored > 0, 'some operations went through between flips');
    } finally {
      flipper.kill('SIGKILL');
      await exited;
    }
    assert.deepEqual(readdirSync(outside), [], 'nothing was created outside the root');
  });
});
