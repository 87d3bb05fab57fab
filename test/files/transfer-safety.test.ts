import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { connect, type FrameshClient } from '../../src/index.js';
import { CLIENT_HELLO, rawPeer } from '../helpers/raw-peer.js';
import { startCuttableProxy } from '../helpers/cuttable-proxy.js';
import { startTestServer, type TestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

const MiB = 1024 * 1024;
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('path safety', () => {
  let server: TestServer;
  let client: FrameshClient;
  let root: string;
  let local: string;
  before(async () => {
    const base = tempDir('framesh-safety-');
    root = path.join(base, 'root');
    mkdirSync(root);
    writeFileSync(path.join(base, 'secret'), 'outside the root\n');
    symlinkSync(path.join(base, 'secret'), path.join(root, 'link-to-secret'));
    symlinkSync(base, path.join(root, 'parent-link'));
    mkdirSync(path.join(root, 'inside'));
    writeFileSync(path.join(root, 'inside', 'ok.txt'), 'fine\n');
    symlinkSync(path.join(root, 'inside', 'ok.txt'), path.join(root, 'inner-link'));
    execFileSync('mkfifo', [path.join(root, 'fifo')]);
    local = tempDir('framesh-local-');
    writeFileSync(path.join(local, 'payload'), 'payload\n');
    server = await startTestServer({ root });
    client = await server.client();
  });

  const refusals: Array<[string, string]> = [
    ['../x', 'a ".." that climbs out'],
    ['/etc/passwd', 'an absolute path outside the root'],
    ['link-to-secret', 'a symbolic link to a file outside'],
    ['parent-link/secret', 'a symbolic link in a parent directory'],
    ['inside/../../secret', 'a ".." hidden behind a real directory'],
  ];
  for (const [remote, what] of refusals) {
    it(`get refuses ${what} (${remote})`, async () => {
      await assert.rejects(client.get(remote, path.join(local, 'out')), { code: 'PATH_ESCAPE' });
      assert.equal(existsSync(path.join(local, 'out')), false);
    });
    it(`put refuses ${what} (${remote})`, async () => {
      await assert.rejects(client.put(path.join(local, 'payload'), remote), { code: 'PATH_ESCAPE' });
    });
    it(`mkdir refuses ${what} (${remote}/made)`, async () => {
      await assert.rejects(client.mkdir(`${remote}/made`), { code: 'PATH_ESCAPE' });
    });
  }

  it('mkdir makes missing parents, accepts an existing directory, refuses a file in the way and a link out', async () => {
    const made = await client.mkdir('new/deeper/deepest', { mode: 0o750 });
    assert.equal(made.type, 'directory');
    assert.equal(statSync(path.join(root, 'new', 'deeper', 'deepest')).mode & 0o777, 0o750 & ~process.umask());
    assert.equal((await client.mkdir('new/deeper')).type, 'directory');
    await assert.rejects(client.mkdir('inside/ok.txt'), { code: 'ENOTDIR' });
    await assert.rejects(client.mkdir('parent-link'), { code: 'PATH_ESCAPE' });
    assert.equal(existsSync(path.join(root, '..', 'made')), false);
  });

  it('leaves the file outside the root untouched', () => {
    assert.equal(readFileSync(path.join(root, '..', 'secret'), 'utf8'), 'outside the root\n');
  });

  it('follows a symbolic link that stays inside the root', async () => {
    const got = await client.get('inner-link', path.join(local, 'inner'));
    assert.equal(readFileSync(got.path, 'utf8'), 'fine\n');
    assert.equal((await client.get(path.join(root, 'inside/ok.txt'), path.join(local, 'abs'))).size, 5);
  });

  it('refuses to get a special file (FIFO) without blocking', async () => {
    await assert.rejects(client.get('fifo', path.join(local, 'fifo-copy')), { code: 'SPECIAL_FILE' });
  });

  it('refuses to replace a directory with a file, and reports missing files with the path', async () => {
    const bare = await connect({ port: server.port, insecure: true });
    try {
      mkdirSync(path.join(root, 'inside', 'payload'));
      await assert.rejects(bare.put(path.join(local, 'payload'), 'inside'), {
        code: 'EISDIR',
        message: /refusing to replace a directory with a file: inside\/payload/,
      });
      await assert.rejects(client.get('no/such/file', path.join(local, 'x')), {
        code: 'ENOENT',
        message: /no\/such\/file/,
      });
      await assert.rejects(client.put(path.join(local, 'vanished'), 'x'), { code: 'ENOENT', message: /vanished/ });
      await assert.rejects(bare.get('inside', path.join(local, 'dir')), { code: 'EISDIR' });
    } finally {
      await bare.close();
    }
  });
});

describe('integrity, atomicity and resume', () => {
  it('a wrong checksum leaves no target and no partial file', async () => {
    const root = tempDir('framesh-sum-');
    const { port } = await startTestServer({ root });
    const peer = await rawPeer(port);
    peer.send(CLIENT_HELLO);
    await peer.next('hello');
    const data = Buffer.from('these bytes arrive intact\n');
    peer.send({ type: 'open', ch: 1, kind: 'put', path: 'target.txt', size: data.length, window: 1024 });
    await peer.next('opened');
    peer.send({ type: 'seek', ch: 1, offset: 0 });
    peer.send({ type: 'data', ch: 1, stream: 'file' }, data);
    // The sender claims other bytes: as if one bit flipped in flight.
    peer.send({ type: 'done', ch: 1, sha256: sha256(Buffer.from('these bytes arrive intacT\n')) });
    const error = await peer.next('error');
    assert.equal(error.code, 'CHECKSUM_MISMATCH');
    assert.deepEqual(readdirSync(root), []);
    peer.socket.end();
  });

  it('a put cut mid-transfer resumes, sending less than the whole file again, and ends byte-exact', async () => {
    const root = tempDir('framesh-resume-');
    const local = tempDir('framesh-resume-local-');
    const data = randomBytes(24 * MiB);
    writeFileSync(path.join(local, 'big'), data);
    const { port, server } = await startTestServer({ root });
    const proxy = await startCuttableProxy(port);
    const first = await connect({ port: proxy.port, insecure: true });
    // The server notices the cut when the socket closes; its record of the first put comes once the
    // partial file is written and released (listening before the put, so it cannot be missed).
    const interrupted = once(server, 'transfer');
    const cut = proxy.cutAfter(10 * MiB, 'up');
    await assert.rejects(first.put(path.join(local, 'big'), 'big'));
    await cut;
    assert.equal(existsSync(path.join(root, 'big')), false, 'no target after an interrupted put');
    const [record] = (await interrupted) as [{ outcome: string }];
    assert.notEqual(record.outcome, 'ok');
    assert.ok(existsSync(path.join(root, '.big.framesh-part')), 'the partial file is kept');
    const second = await connect({ port, insecure: true });
    const sent = await new Promise<{ resumedFrom: number; bytes: number }>((resolve, reject) => {
      server.once('transfer', (record) => resolve(record));
      second.put(path.join(local, 'big'), 'big').catch(reject);
    });
    assert.ok(sent.resumedFrom > 0, `resumed from ${sent.resumedFrom}`);
    assert.ok(sent.bytes < data.length, `sent ${sent.bytes} of ${data.length} again`);
    assert.equal(sha256(readFileSync(path.join(root, 'big'))), sha256(data));
    assert.equal(existsSync(path.join(root, '.big.framesh-part')), false);
    await second.close();
  });

  it('a corrupted partial file is detected and the transfer starts over', async () => {
    const root = tempDir('framesh-corrupt-');
    const local = tempDir('framesh-corrupt-local-');
    const data = randomBytes(3 * MiB);
    writeFileSync(path.join(local, 'f'), data);
    const corrupt = Buffer.from(data.subarray(0, MiB));
    corrupt[1000] = corrupt[1000]! ^ 0xff;
    writeFileSync(path.join(root, '.f.framesh-part'), corrupt);
    const server = await startTestServer({ root });
    const client = await server.client();
    const result = await client.put(path.join(local, 'f'), 'f');
    assert.equal(result.resumedFrom, 0);
    assert.equal(sha256(readFileSync(path.join(root, 'f'))), sha256(data));
  });

  it('a get cut mid-transfer resumes from the local partial file', async () => {
    const root = tempDir('framesh-getresume-');
    const local = tempDir('framesh-getresume-local-');
    const data = randomBytes(24 * MiB);
    writeFileSync(path.join(root, 'g'), data);
    const { port } = await startTestServer({ root });
    const proxy = await startCuttableProxy(port);
    const first = await connect({ port: proxy.port, insecure: true });
    const cut = proxy.cutAfter(10 * MiB, 'down');
    await assert.rejects(first.get('g', path.join(local, 'g')));
    await cut;
    assert.equal(existsSync(path.join(local, 'g')), false);
    const second = await connect({ port, insecure: true });
    const result = await second.get('g', path.join(local, 'g'));
    assert.ok(result.resumedFrom > 0);
    assert.equal(sha256(readFileSync(path.join(local, 'g'))), sha256(data));
    const again = await second.get('g', path.join(local, 'g2'), { resume: false });
    assert.equal(again.resumedFrom, 0);
    await second.close();
  });

  it('concurrent puts to one target end with one whole file, never a mix', async () => {
    const root = tempDir('framesh-race-');
    const local = tempDir('framesh-race-local-');
    const versions = [0, 1, 2, 3, 4].map((i) => Buffer.alloc(4 * MiB, i + 1));
    versions.forEach((v, i) => writeFileSync(path.join(local, `v${i}`), v));
    const server = await startTestServer({ root });
    const clients = await Promise.all(versions.map(() => server.client()));
    await Promise.all(clients.map((c, i) => c.put(path.join(local, `v${i}`), 'shared')));
    const final = readFileSync(path.join(root, 'shared'));
    assert.ok(
      versions.some((v) => v.equals(final)),
      'the target is exactly one of the uploads',
    );
    assert.deepEqual(readdirSync(root).sort(), ['shared']);
  });
});
