/**
 * kill -9 in the middle of a transfer, of the client and of the server, for put and for get: the next
 * run of the same command resumes from the partial file (the audit log's resumedFrom > 0) and the
 * result is byte-exact (SHA-256 of the whole file compared by the test, not only by framesh).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cli, figure, MiB, randomFile, scratch, serve, sha256File, sizeOr, waitFor, type ServeProcess } from './lib.js';

const SIZE = 192 * MiB;
const KILL_AT = SIZE / 4;

interface Setup {
  readonly home: string;
  readonly root: string;
  readonly local: string;
}

function setup(name: string): Setup {
  const base = scratch(`kill-${name}`, SIZE * 2);
  const dirs = { home: path.join(base, 'home'), root: path.join(base, 'root'), local: path.join(base, 'local') };
  // mode 0700: FRAMESH_HOME must not be readable by others.
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dirs;
}

function startServer(s: Setup): Promise<ServeProcess> {
  return serve(['--root', s.root], { env: { FRAMESH_HOME: s.home } });
}

function transfer(s: Setup, port: number, direction: 'put' | 'get') {
  const args =
    direction === 'put'
      ? ['put', '-q', path.join(s.local, 'big'), `127.0.0.1:${port}:big`]
      : ['get', '-q', `127.0.0.1:${port}:big`, path.join(s.local, 'big')];
  return cli(args, { env: { FRAMESH_HOME: s.home } });
}

/** Where the receiving side keeps the partial file for `big`. */
function partialOf(s: Setup, direction: 'put' | 'get'): string {
  return path.join(direction === 'put' ? s.root : s.local, '.big.framesh-part');
}

for (const direction of ['put', 'get'] as const) {
  for (const victim of ['client', 'server'] as const) {
    describe(`${direction}, kill -9 of the ${victim}`, () => {
      it('resumes byte-exact', { timeout: 240_000 }, async () => {
        const s = setup(`${direction}-${victim}`);
        const source = direction === 'put' ? path.join(s.local, 'big') : path.join(s.root, 'big');
        randomFile(source, SIZE);
        const expected = await sha256File(source);
        let server = await startServer(s);
        const first = transfer(s, server.port, direction);
        const partial = partialOf(s, direction);
        await waitFor(`${partial} to reach ${KILL_AT} bytes`, () => sizeOr(partial, 0) >= KILL_AT, 60_000);
        (victim === 'client' ? first.child : server.child).kill('SIGKILL');
        const killed = await first.done;
        if (victim === 'server') {
          assert.notEqual(killed.code, 0, 'the client must not report success when the server died');
          await server.stop();
          server = await startServer(s);
        }
        const leftBytes = sizeOr(partial, 0);
        assert.ok(leftBytes > 0 && leftBytes < SIZE, `a partial file stays for the resume (${leftBytes} bytes)`);

        const began = Date.now();
        const second = await transfer(s, server.port, direction).done;
        assert.equal(second.code, 0, `the second ${direction} succeeds: ${second.stderr}`);
        const received = direction === 'put' ? path.join(s.root, 'big') : path.join(s.local, 'big');
        assert.equal(await sha256File(received), expected, 'byte-exact after the resume');
        assert.equal(existsSync(partial), false, 'the partial file is gone');
        const record = server.events('transfer').find((e) => e.direction === direction && e.outcome === 'ok');
        assert.ok(record, `an ok transfer record in the audit log: ${server.log().slice(-2000)}`);
        assert.ok(
          Number(record.resumedFrom) > 0,
          `resumed, not started over (resumedFrom ${String(record.resumedFrom)})`,
        );
        const strays = readdirSync(direction === 'put' ? s.root : s.local).filter((n) => n.includes('framesh-part'));
        assert.deepEqual(strays, [], 'no partial files left behind');
        figure(`kill-resume ${direction}/${victim}`, {
          sizeMiB: SIZE / MiB,
          killedAtMiB: (leftBytes / MiB).toFixed(1),
          resumedFromMiB: (Number(record.resumedFrom) / MiB).toFixed(1),
          resumeMs: Date.now() - began,
        });
        await server.stop();
      });
    });
  }
}
