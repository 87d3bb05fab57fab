/**
 * Issue 9, defect 10: names that start with `..` (a dotfile's partial `..bashrc.framesh-part`, or a file
 * really called `..notes`) are inside the root; only a whole `..` component climbs out.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { FrameshClient } from '../../src/index.js';
import { startTestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

describe('dotfiles at the top of the file root', () => {
  let client: FrameshClient;
  let root: string;
  let local: string;
  before(async () => {
    const base = tempDir('framesh-dotfiles-');
    root = path.join(base, 'root');
    local = path.join(base, 'local');
    mkdirSync(root);
    mkdirSync(local);
    writeFileSync(path.join(local, '.bashrc'), 'export PS1=framesh\n');
    writeFileSync(path.join(local, '..notes'), 'two dots, still a plain name\n');
    client = await (await startTestServer({ root })).client();
  });

  it('put .bashrc into the root (by directory and by name) stores it and leaves no partial', async () => {
    await client.put(path.join(local, '.bashrc'), '.');
    assert.equal(readFileSync(path.join(root, '.bashrc'), 'utf8'), 'export PS1=framesh\n');
    await client.put(path.join(local, '.bashrc'), '.profile');
    assert.equal(readFileSync(path.join(root, '.profile'), 'utf8'), 'export PS1=framesh\n');
    assert.deepEqual(
      readdirSync(root).filter((n) => n.includes('framesh-part')),
      [],
    );
  });

  it('a file named ..notes goes up and comes back down', async () => {
    await client.put(path.join(local, '..notes'), '..notes');
    assert.equal(readFileSync(path.join(root, '..notes'), 'utf8'), 'two dots, still a plain name\n');
    const back = path.join(local, 'notes-back');
    await client.get('..notes', back);
    assert.equal(readFileSync(back, 'utf8'), 'two dots, still a plain name\n');
    assert.equal((await client.stat('..notes')).type, 'file');
  });

  it('a real parent reference is still refused', async () => {
    await assert.rejects(client.put(path.join(local, '.bashrc'), '../.bashrc'), { code: 'PATH_ESCAPE' });
    await assert.rejects(client.get('..', path.join(local, 'x')), { code: 'PATH_ESCAPE' });
  });
});
