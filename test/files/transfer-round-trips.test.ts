import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { before, describe, it } from 'node:test';
import type { FrameshClient } from '../../src/index.js';
import { startTestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

const MiB = 1024 * 1024;

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Writes `size` bytes of a repeating random block: fast to make, and a shifted copy would not verify. */
async function makeFile(file: string, size: number): Promise<string> {
  const block = randomBytes(MiB);
  const out = createWriteStream(file);
  for (let left = size; left > 0; left -= block.length) {
    if (!out.write(left >= block.length ? block : block.subarray(0, left))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return sha256Of(file);
}

describe('put and get round trips', () => {
  let client: FrameshClient;
  let root: string;
  let local: string;
  before(async () => {
    root = tempDir('framesh-root-');
    local = tempDir('framesh-local-');
    const server = await startTestServer({ root });
    client = await server.client();
  });

  for (const [name, size] of [
    ['empty', 0],
    ['small', 13],
    ['1 MiB + 1 byte', MiB + 1],
  ] as const) {
    it(`${name} file comes back byte-exact`, async () => {
      const source = path.join(local, `${name}.src`);
      const digest = await makeFile(source, size);
      const put = await client.put(source, `${name}.bin`);
      assert.deepEqual([put.size, put.sha256, put.resumedFrom], [size, digest, 0]);
      assert.equal(await sha256Of(path.join(root, `${name}.bin`)), digest);
      const back = path.join(local, `${name}.back`);
      const got = await client.get(`${name}.bin`, back);
      assert.equal(got.sha256, digest);
      assert.equal(await sha256Of(back), digest);
      assert.deepEqual(
        readdirSync(root).filter((f) => f.includes('framesh-part')),
        [],
      );
    });
  }

  it('a 256 MiB file comes back byte-exact, with progress reported', async () => {
    const source = path.join(local, 'big.src');
    const digest = await makeFile(source, 256 * MiB);
    let last = 0;
    await client.put(source, 'big.bin', { onProgress: (p) => (last = p.bytes) });
    assert.equal(last, 256 * MiB);
    assert.equal(await sha256Of(path.join(root, 'big.bin')), digest);
    const back = path.join(local, 'big.back');
    await client.get('big.bin', back);
    assert.equal(await sha256Of(back), digest);
  });

  it('keeps the mode (executable bit) always, and the modification time with preserve', async () => {
    const source = path.join(local, 'tool.sh');
    writeFileSync(source, '#!/bin/sh\necho tool\n', { mode: 0o750 });
    const old = new Date('2020-02-02T02:02:02Z');
    const { utimesSync } = await import('node:fs');
    utimesSync(source, old, old);
    await client.put(source, 'tool.sh', { preserve: true });
    const stat = statSync(path.join(root, 'tool.sh'));
    assert.equal(stat.mode & 0o777, 0o750);
    assert.equal(stat.mtime.getTime(), old.getTime());
    assert.equal((await client.run(['sh', '-c', `${path.join(root, 'tool.sh')}`])).stdout, 'tool\n');
  });

  it('puts into an existing directory under the source name, and gets into a local directory', async () => {
    const source = path.join(local, 'into.txt');
    writeFileSync(source, 'into\n');
    (await import('node:fs')).mkdirSync(path.join(root, 'inbox'));
    await client.put(source, 'inbox');
    assert.equal(readFileSync(path.join(root, 'inbox', 'into.txt'), 'utf8'), 'into\n');
    const dir = tempDir('framesh-into-');
    const got = await client.get('inbox/into.txt', dir);
    assert.equal(got.path, path.join(dir, 'into.txt'));
  });

  it('creates parent directories with mkdirs, and the stream forms verify end to end', async () => {
    const ws = client.createWriteStream('deep/er/streamed.txt', { mkdirs: true });
    ws.end('streamed\n');
    await once(ws, 'finish');
    assert.equal(readFileSync(path.join(root, 'deep/er/streamed.txt'), 'utf8'), 'streamed\n');
    let text = '';
    for await (const chunk of client.createReadStream('deep/er/streamed.txt')) text += chunk;
    assert.equal(text, 'streamed\n');
    const listing = await client.stat('deep/er', { list: true });
    assert.equal(listing.type, 'directory');
    assert.deepEqual(
      listing.entries?.map((e) => [e.name, e.type, e.size]),
      [['streamed.txt', 'file', 9]],
    );
  });
});
