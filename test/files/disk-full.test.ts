import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startTestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

/** A real full disk: a 1 MiB tmpfs, which needs root (CI runs as root; elsewhere the test says why it skips). */
function mountTinyFilesystem(): string | null {
  const dir = tempDir('framesh-full-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    return null;
  }
}

const mounted = mountTinyFilesystem();
after(() => {
  if (mounted) execFileSync('umount', [mounted]);
});

describe('full disk', () => {
  it(
    'a put that fills the disk fails with ENOSPC and the path, leaving the old target intact',
    { skip: !mounted && 'mounting a tmpfs needs root' },
    async () => {
      const root = mounted as string;
      writeFileSync(path.join(root, 'target'), 'old contents\n');
      const local = tempDir('framesh-full-local-');
      writeFileSync(path.join(local, 'big'), randomBytes(4 * 1024 * 1024));
      const server = await startTestServer({ root });
      const client = await server.client();
      await assert.rejects(client.put(path.join(local, 'big'), 'target'), { code: 'ENOSPC', message: /target/ });
      assert.equal(readFileSync(path.join(root, 'target'), 'utf8'), 'old contents\n');
      assert.equal((await client.run('echo still serving')).stdout, 'still serving\n');
      assert.ok(existsSync(path.join(root, 'target')));
    },
  );
});
