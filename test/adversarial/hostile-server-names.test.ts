/**
 * Issue 9, defect 2: a hostile server lists names that climb out of the target directory and sends
 * setuid modes. The client must refuse every name that is not one path component of the directory it
 * asked for, and never apply setuid/setgid/sticky bits (and apply the umask unless -p).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { connect } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { fakeFileServer, sendFile, stat } from '../helpers/fake-file-server.js';
import { tempDir } from '../helpers/temp-dirs.js';

const PAYLOAD = Buffer.from('written by the server\n');
const umask = (): number => {
  const mask = process.umask(0o022);
  process.umask(mask);
  return mask;
};

/** A server whose `tree` holds ok.txt and one more entry named `hostile`; every get is answered. */
function treeServer(hostile: unknown, extra: Array<Record<string, unknown>> = []) {
  return fakeFileServer({
    onOpen(open, send) {
      if (open.kind === 'stat') {
        if (!open.list) return send({ type: 'done', ch: open.ch, stat: stat('directory', 0o7777) });
        const entries = [
          { name: 'ok.txt', ...stat('file', 0o6777, PAYLOAD.length) },
          { name: hostile, ...stat('file', 0o644, PAYLOAD.length) },
          ...extra,
        ];
        return send(
          { type: 'done', ch: open.ch, stat: stat('directory', 0o7777) },
          Buffer.from(JSON.stringify(entries)),
        );
      }
      if (open.kind === 'get') return sendFile(send, open.ch, PAYLOAD, 0o7777);
      send({ type: 'error', ch: open.ch, code: 'FILE_ERROR', message: 'not scripted' });
    },
  });
}

/** Nothing anywhere in `base` but (at most) the target directory a/b/dest. */
function assertNothingOutside(base: string): void {
  assert.deepEqual(
    allFiles(base).filter((f) => !f.startsWith(path.join('a', 'b', 'dest'))),
    [],
  );
  assert.equal(existsSync(path.join(base, 'escaped.txt')), false);
  assert.equal(existsSync(path.join(base, 'a', 'escaped.txt')), false);
}

/** Every file below `dir`, as paths relative to it. */
function allFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? allFiles(dir, path.join(prefix, e.name)) : [path.join(prefix, e.name)],
  );
}

describe('get -r from a hostile server', () => {
  const hostileNames: unknown[] = [
    '../../escaped.txt',
    '..',
    '.',
    '',
    'sub/../../escaped.txt',
    'x\u0000y',
    '..\\..\\escaped.txt',
    42,
  ];
  for (const name of hostileNames) {
    it(`getDirectory refuses a listed name ${JSON.stringify(name)} and writes nothing outside the target`, async () => {
      const fake = await treeServer(name);
      const base = tempDir('framesh-hostile-names-');
      const dest = path.join(base, 'a', 'b', 'dest');
      const client = await connect({ host: '127.0.0.1', port: fake.port, insecure: true });
      try {
        await assert.rejects(client.getDirectory('tree', dest), { code: 'UNSAFE_NAME' });
      } finally {
        await client.close();
      }
      assertNothingOutside(base);
      // No get was even asked for: the listing was refused as a whole.
      assert.equal(fake.opens.filter((o) => o.kind === 'get').length, 0);
    });
  }

  it('the CLI (get -r) refuses the same and says why', async () => {
    const fake = await treeServer('../../escaped.txt');
    const base = tempDir('framesh-hostile-cli-');
    const dest = path.join(base, 'a', 'b', 'dest');
    const result = await runCli(['get', '-r', '-q', '--insecure', `127.0.0.1:${fake.port}:tree`, dest], {
      timeoutMs: 60_000,
    });
    assert.notEqual(result.code, 0, result.stderr);
    assert.match(result.stderr, /refusing a name that is not one path component \(UNSAFE_NAME\)/);
    assertNothingOutside(base);
    assert.equal(fake.opens.filter((o) => o.kind === 'get').length, 0);
  });

  it('refuses a listing that names one entry twice', async () => {
    const fake = await treeServer('twice', [{ name: 'twice', ...stat('directory', 0o755) }]);
    const client = await connect({ host: '127.0.0.1', port: fake.port, insecure: true });
    try {
      await assert.rejects(client.getDirectory('tree', path.join(tempDir('framesh-hostile-twice-'), 'dest')), {
        code: 'UNSAFE_NAME',
        message: /twice/,
      });
    } finally {
      await client.close();
    }
  });

  it('never applies setuid/setgid/sticky; masks with the umask unless -p (CLI and library)', async () => {
    const fake = await treeServer('fine.txt');
    const dest = path.join(tempDir('framesh-hostile-modes-'), 'dest');
    const result = await runCli(['get', '-r', '-q', '--insecure', `127.0.0.1:${fake.port}:tree`, dest], {
      timeoutMs: 60_000,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(path.join(dest, 'ok.txt'), 'utf8'), PAYLOAD.toString());
    assert.equal(statSync(path.join(dest, 'ok.txt')).mode & 0o7777, 0o777 & ~umask());
    assert.equal(statSync(dest).mode & 0o7000, 0, 'no setuid/setgid/sticky on the directory');
    const client = await connect({ host: '127.0.0.1', port: fake.port, insecure: true });
    try {
      const kept = path.join(tempDir('framesh-hostile-modes-p-'), 'dest');
      await client.getDirectory('tree', kept, { preserve: true });
      assert.equal(statSync(path.join(kept, 'ok.txt')).mode & 0o7777, 0o777);
      assert.equal(statSync(kept).mode & 0o7000, 0);
    } finally {
      await client.close();
    }
  });

  it('the library get masks a setuid mode too', async () => {
    const fake = await fakeFileServer({
      onOpen(open, send) {
        if (open.kind === 'get') sendFile(send, open.ch, PAYLOAD, 0o4755);
      },
    });
    const client = await connect({ host: '127.0.0.1', port: fake.port, insecure: true });
    try {
      const local = path.join(tempDir('framesh-hostile-lib-'), 'tool');
      await client.get('tool', local);
      assert.equal(statSync(local).mode & 0o7777, 0o755 & ~umask());
    } finally {
      await client.close();
    }
  });
});
