/**
 * A small tmpfs root filled to ENOSPC by concurrent uploads, rounds over: every failed upload reports
 * ENOSPC, leaves no partial file and no space taken, every confirmed upload is byte-exact, the space used
 * is exactly what the confirmed files hold, and the server keeps serving. Needs root (mount).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { connect } from '../src/index.js';
import { figure, isRoot, MiB, randomFile, scratch, serve, sha256File, sizeOr } from './lib.js';

const DISK = 16 * MiB;
const ROUNDS = 5;

const base = scratch('disk-full');
const root = path.join(base, 'root');
mkdirSync(root);
let mounted = false;
let why = '';
if (!isRoot()) why = 'mounting a tmpfs needs root';
else {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK}`, 'tmpfs', root]);
    mounted = true;
  } catch (err) {
    why = `mount failed: ${(err as Error).message}`;
  }
}
after(() => {
  if (mounted) execFileSync('umount', [root]);
});

function usedBytes(): number {
  const s = statfsSync(root);
  return (s.blocks - s.bfree) * s.bsize;
}

describe('a full disk', { skip: mounted ? false : why }, () => {
  it('fills, fails cleanly, and frees its space', { timeout: 300_000 }, async () => {
    const home = path.join(base, 'home');
    const local = path.join(base, 'local');
    mkdirSync(home, { mode: 0o700 });
    mkdirSync(local);
    const server = await serve(['--insecure', '--root', root], { env: { FRAMESH_HOME: home } });
    const client = await connect({ host: '127.0.0.1', port: server.port, insecure: true });
    const emptyUsed = usedBytes();
    let confirmed = 0;
    let refused = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      // Sizes that do not fit together: 7 uploads of 1–5 MiB into 16 MiB, all at once.
      const names = Array.from({ length: 7 }, (_, i) => `r${round}-f${i}`);
      const sizes = names.map((_, i) => (1 + ((round + i * 3) % 5)) * MiB);
      names.forEach((name, i) => randomFile(path.join(local, name), sizes[i] as number));
      const outcomes = await Promise.allSettled(names.map((name) => client.put(path.join(local, name), name)));
      for (const [i, outcome] of outcomes.entries()) {
        const name = names[i] as string;
        if (outcome.status === 'fulfilled') {
          confirmed += 1;
          assert.equal(
            await sha256File(path.join(root, name)),
            await sha256File(path.join(local, name)),
            `${name} byte-exact`,
          );
        } else {
          refused += 1;
          assert.equal((outcome.reason as { code?: string }).code, 'ENOSPC', `${name}: ${String(outcome.reason)}`);
          assert.equal(sizeOr(path.join(root, name)), -1, `${name} was not installed`);
        }
      }
      const entries = readdirSync(root);
      assert.deepEqual(
        entries.filter((e) => e.includes('framesh-part')),
        [],
        `round ${round}: no partial files left`,
      );
      const held = entries.reduce((sum, e) => sum + sizeOr(path.join(root, e), 0), 0);
      // tmpfs counts whole pages: each file may take up to one page more than its size.
      const slack = entries.length * 4096 + 64 * 1024;
      assert.ok(
        usedBytes() - emptyUsed <= held + slack,
        `round ${round}: used ${usedBytes() - emptyUsed}, files hold ${held}`,
      );
      // Free the space for the next round, as a user cleaning up would.
      for (const e of entries) rmSync(path.join(root, e), { recursive: true, force: true });
      assert.ok(usedBytes() - emptyUsed <= 64 * 1024, `round ${round}: the space is free again`);
      for (const name of names) rmSync(path.join(local, name));
    }
    assert.ok(refused > 0, 'the disk really filled');
    assert.equal((await client.run('echo still serving')).stdout, 'still serving\n');
    figure('disk full', { diskMiB: DISK / MiB, rounds: ROUNDS, confirmed, refusedEnospc: refused });
    await client.close();
    await server.stop();
  });
});
