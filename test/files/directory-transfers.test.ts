/** Issue 10, library parity with node-ssh: putDirectory/getDirectory with a filter and progress. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { FrameshClient, TransferProgress } from '../../src/index.js';
import { startTestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

describe('putDirectory and getDirectory', () => {
  let client: FrameshClient;
  let root: string;
  let tree: string;
  before(async () => {
    const base = tempDir('framesh-dirs-');
    root = path.join(base, 'root');
    tree = path.join(base, 'tree');
    mkdirSync(root);
    mkdirSync(path.join(tree, 'src', 'deep'), { recursive: true });
    mkdirSync(path.join(tree, 'node_modules', 'pkg'), { recursive: true });
    mkdirSync(path.join(tree, 'empty'));
    writeFileSync(path.join(tree, 'README'), 'read me\n');
    writeFileSync(path.join(tree, 'src', 'deep', 'main.ts'), 'export {};\n');
    writeFileSync(path.join(tree, 'src', 'debug.log'), 'noise\n');
    writeFileSync(path.join(tree, 'node_modules', 'pkg', 'index.js'), 'big\n');
    client = await (await startTestServer({ root })).client();
  });

  it('putDirectory copies the tree into a new remote directory, honours the filter, reports progress', async () => {
    const seen: TransferProgress[] = [];
    const result = await client.putDirectory(tree, 'deploy/site', {
      filter: (rel, isDirectory) => !(isDirectory && rel === 'node_modules') && !rel.endsWith('.log'),
      onProgress: (p) => seen.push(p),
    });
    assert.deepEqual(result.files.map((f) => f.path).sort(), ['deploy/site/README', 'deploy/site/src/deep/main.ts']);
    assert.equal(result.directories, 4);
    assert.equal(readFileSync(path.join(root, 'deploy', 'site', 'src', 'deep', 'main.ts'), 'utf8'), 'export {};\n');
    assert.ok(statSync(path.join(root, 'deploy', 'site', 'empty')).isDirectory());
    assert.equal(existsSync(path.join(root, 'deploy', 'site', 'node_modules')), false);
    assert.equal(existsSync(path.join(root, 'deploy', 'site', 'src', 'debug.log')), false);
    assert.ok(seen.some((p) => p.path === 'deploy/site/README' && p.bytes === p.total && p.total === 8));
  });

  it('getDirectory brings it back the same way', async () => {
    const back = path.join(tempDir('framesh-dirs-back-'), 'copy');
    const seen: string[] = [];
    const result = await client.getDirectory('deploy/site', back, {
      filter: (rel) => rel !== 'README',
      onProgress: (p) => seen.push(p.path),
    });
    assert.equal(result.files.length, 1);
    assert.equal(readFileSync(path.join(back, 'src', 'deep', 'main.ts'), 'utf8'), 'export {};\n');
    assert.ok(statSync(path.join(back, 'empty')).isDirectory());
    assert.equal(existsSync(path.join(back, 'README')), false);
    assert.ok(seen.includes(path.join(back, 'src', 'deep', 'main.ts')));
    await assert.rejects(client.getDirectory('deploy/site/README', back), { code: 'ENOTDIR' });
    await assert.rejects(client.putDirectory(path.join(tree, 'README'), 'x'), { code: 'ENOTDIR' });
  });
});
