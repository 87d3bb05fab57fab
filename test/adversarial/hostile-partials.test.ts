/**
 * Issue 9, defects 5 and 11: a partial file planted by someone with write access to the root (a hard link
 * or symbolic link to a file elsewhere, a FIFO) is never written through; failed uploads leave nothing
 * behind; a killed concurrent put's private partial is removed; stale partials expire.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import {
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { createServer, type FrameshClient, type FrameshServer } from '../../src/index.js';
import { CLIENT_HELLO, rawPeer } from '../helpers/raw-peer.js';
import { startTestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

const VICTIM = 'a file outside the root that must never change\n';
const partialsIn = (dir: string): string[] => readdirSync(dir).filter((n) => n.includes('framesh-part'));

describe('planted and abandoned partial files', () => {
  let server: FrameshServer;
  let port: number;
  let client: FrameshClient;
  let base: string;
  let root: string;
  let local: string;
  before(async () => {
    base = tempDir('framesh-partials-');
    root = path.join(base, 'root');
    local = path.join(base, 'local');
    mkdirSync(root);
    mkdirSync(local);
    writeFileSync(path.join(local, 'upload.txt'), 'the upload\n');
    const test = await startTestServer({ root });
    server = test.server;
    port = test.port;
    client = await test.client();
  });

  const plants: Array<[string, (partial: string, victim: string) => void]> = [
    ['a hard link to an outside file', (partial, victim) => linkSync(victim, partial)],
    ['a symbolic link to an outside file', (partial, victim) => symlinkSync(victim, partial)],
    ['a FIFO', (partial) => execFileSync('mkfifo', [partial])],
  ];
  for (const [what, plant] of plants) {
    for (const resume of [true, false]) {
      it(`a partial that is ${what} is replaced, not written through (resume ${resume})`, async () => {
        const victim = path.join(base, `victim-${plants.findIndex((p) => p[0] === what)}-${resume}`);
        writeFileSync(victim, VICTIM);
        const target = `t-${path.basename(victim)}.txt`;
        plant(path.join(root, `.${target}.framesh-part`), victim);
        await client.put(path.join(local, 'upload.txt'), target, { resume });
        assert.equal(readFileSync(path.join(root, target), 'utf8'), 'the upload\n');
        assert.equal(readFileSync(victim, 'utf8'), VICTIM);
        assert.equal(statSync(victim).nlink, 1, 'the planted link is gone');
        assert.deepEqual(partialsIn(root), []);
      });
    }
  }

  it('refused paths leave no partial anywhere', async () => {
    symlinkSync(base, path.join(root, 'out-link'));
    for (const remote of ['../x.txt', 'out-link/x.txt', '.y.txt.framesh-part', 'sub-missing/x.txt']) {
      await assert.rejects(client.put(path.join(local, 'upload.txt'), remote));
    }
    assert.deepEqual(partialsIn(root), []);
    assert.deepEqual(partialsIn(base), []);
  });

  it("a killed concurrent put's private partial is removed; the shared one stays for resume", async () => {
    const holders = [await rawPeer(port), await rawPeer(port)];
    for (const peer of holders) {
      peer.send(CLIENT_HELLO);
      await peer.next('hello');
      peer.send({ type: 'open', ch: 1, kind: 'put', path: 'busy.txt', size: 100, window: 1024 });
      await peer.next('opened');
      peer.send({ type: 'seek', ch: 1, offset: 0 });
      peer.send({ type: 'data', ch: 1, stream: 'file' }, Buffer.alloc(10, 0x61));
    }
    let count = 0;
    const ended = new Promise<void>((resolve) => {
      const onTransfer = (): void => {
        if (++count < 2) return;
        server.off('transfer', onTransfer);
        resolve();
      };
      server.on('transfer', onTransfer);
    });
    assert.equal(partialsIn(root).length, 2);
    for (const peer of holders) peer.socket.destroy();
    await ended;
    assert.deepEqual(partialsIn(root), ['.busy.txt.framesh-part']);
  });

  it('puts opened and abandoned by a hang-up before "opened" leave no partial and free their names', async () => {
    // Each hang-up lands while the server is still opening: the channel ends before start() took the
    // partial's name and made its file. Before the fix each left a private partial on disk (258 000
    // from one flood) and its claimed name in memory for the life of the server.
    const ROUNDS = 40;
    const OPENS = 50;
    let transfers = 0;
    const allEnded = new Promise<void>((resolve) => {
      const onTransfer = (): void => {
        if (++transfers < ROUNDS * OPENS) return;
        server.off('transfer', onTransfer);
        resolve();
      };
      server.on('transfer', onTransfer);
    });
    for (let round = 0; round < ROUNDS; round += 1) {
      const peer = await rawPeer(port);
      peer.send({ ...CLIENT_HELLO, capabilities: ['exec', 'files'] });
      for (let ch = 1; ch <= OPENS; ch += 1)
        peer.send({ type: 'open', ch, kind: 'put', path: `flood-${ch % 5}.bin`, size: 10, window: 1024 });
      peer.socket.destroy();
    }
    await allEnded;
    assert.deepEqual(
      partialsIn(root).filter((n) => n.includes('flood-')),
      [],
    );
    // The names are free again: a real upload to one of them resumes nothing and lands.
    await client.put(path.join(local, 'upload.txt'), 'flood-1.bin');
    assert.equal(readFileSync(path.join(root, 'flood-1.bin'), 'utf8'), 'the upload\n');
    assert.deepEqual(
      partialsIn(root).filter((n) => n.includes('flood-')),
      [],
    );
  });

  it(
    'a put that fails on a full disk removes its partial',
    { skip: process.getuid?.() !== 0 && 'mounting a tmpfs needs root' },
    async () => {
      const small = tempDir('framesh-partials-full-');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', small]);
      try {
        const full = await startTestServer({ root: small });
        const fullClient = await full.client();
        writeFileSync(path.join(local, 'big'), Buffer.alloc(3 * 1024 * 1024, 1));
        await assert.rejects(fullClient.put(path.join(local, 'big'), 'big'), { code: 'ENOSPC' });
        assert.deepEqual(readdirSync(small), []);
        const df = execFileSync('df', ['--output=used', small], { encoding: 'utf8' });
        assert.ok(Number(df.trim().split('\n').at(-1)) < 64, `space freed: ${df}`);
        await fullClient.close();
        await full.server.close(200);
      } finally {
        execFileSync('umount', [small]);
      }
    },
  );

  it('stale partials expire on a server with partialMaxAgeMs; fresh and held ones stay', async () => {
    const expiring = path.join(base, 'expiring');
    mkdirSync(path.join(expiring, 'deep', 'er'), { recursive: true });
    const old = path.join(expiring, 'deep', 'er', '.old.bin.framesh-part');
    const oldPrivate = path.join(expiring, '.x.framesh-part-0a1b2c3d4e5f');
    const fresh = path.join(expiring, '.fresh.bin.framesh-part');
    const notOurs = path.join(expiring, 'old-but-not-a-partial.txt');
    for (const file of [old, oldPrivate, fresh, notOurs]) writeFileSync(file, 'bytes');
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const file of [old, oldPrivate, notOurs]) utimesSync(file, hourAgo, hourAgo);
    const sweeping = createServer({ insecure: true, root: expiring, partialMaxAgeMs: 60_000, partialSweepDelayMs: 0 });
    const expired = once(sweeping, 'partialsExpired');
    await sweeping.listen(0, '127.0.0.1');
    const [{ removed }] = (await expired) as [{ removed: number }];
    await sweeping.close(200);
    assert.equal(removed, 2);
    assert.deepEqual(partialsIn(path.join(expiring, 'deep', 'er')), []);
    assert.deepEqual(partialsIn(expiring), ['.fresh.bin.framesh-part']);
    assert.equal(readFileSync(notOurs, 'utf8'), 'bytes');
  });
});
