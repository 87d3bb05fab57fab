import assert from 'node:assert/strict';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLI_ARGS, runNode } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dirs.js';

// The built CLI's compile cache (src/cli/compile-cache.ts): what each run finds, keeps and refuses, read
// from its NODE_DEBUG=framesh-compile-cache trace and the cache directory itself.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILT = path.join(ROOT, 'dist/cli/main.js');
const BUNDLE = path.join(ROOT, 'dist/cli/framesh.bundle.cjs');
const builtAndBundled = CLI_ARGS[0] === BUILT && existsSync(BUNDLE);

/** Runs `node NODE_ARGS` with the cache in `cacheDir` (or 'off') and its trace on stderr. */
const runWithCache = (nodeArgs: readonly string[], cacheDir: string) =>
  runNode(nodeArgs, { env: { FRAMESH_COMPILE_CACHE: cacheDir, NODE_DEBUG: 'framesh-compile-cache' } });

const cacheFiles = (dir: string): string[] => readdirSync(dir).filter((name) => name.endsWith('.cache'));

describe(
  'the CLI bundle’s compile cache',
  { skip: !builtAndBundled && 'needs the built, bundled CLI (npm run build)' },
  () => {
    it('the first successful run of a command writes its cache, and the next run of it starts from that', async () => {
      const dir = tempDir('framesh-cc-');
      const first = await runWithCache([BUILT, '--version'], dir);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /root@\S+\.cache missing/);
      assert.match(first.stderr, /root@\S+\.cache written \(\d+ bytes\)/);
      const [file] = cacheFiles(dir);
      assert.ok(file?.startsWith(`root@${process.version}-`), `cache files: ${cacheFiles(dir).join(', ')}`);
      assert.equal(statSync(path.join(dir, file)).mode & 0o777, 0o600);

      const second = await runWithCache([BUILT, '--version'], dir);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(second.stdout, first.stdout);
      assert.match(second.stderr, /root@\S+\.cache accepted/);
      assert.doesNotMatch(second.stderr, /written/);

      // Each command has its own: exec's help compiles exec's options, not the root's version.
      const exec = await runWithCache([BUILT, 'exec', '--help'], dir);
      assert.equal(exec.code, 0, exec.stderr);
      assert.match(exec.stderr, /exec@\S+\.cache written/);
      assert.deepEqual(
        cacheFiles(dir)
          .map((name) => name.split('@')[0])
          .sort(),
        ['exec', 'root'],
      );
    });

    it('a run that fails writes no cache, so that one holds what a successful run compiled', async () => {
      const dir = tempDir('framesh-cc-');
      const failed = await runWithCache([BUILT, 'exec'], dir);
      assert.equal(failed.code, 2, failed.stderr);
      assert.match(failed.stderr, /exec@\S+\.cache missing/);
      assert.deepEqual(cacheFiles(dir), []);
    });

    it('a cache V8 refuses (here: garbage) is only slower: the command runs and the cache is written anew', async () => {
      const dir = tempDir('framesh-cc-');
      assert.equal((await runWithCache([BUILT, '--version'], dir)).code, 0);
      const [file] = cacheFiles(dir);
      assert.ok(file);
      writeFileSync(path.join(dir, file), Buffer.alloc(4096, 0x5a));
      const refused = await runWithCache([BUILT, '--version'], dir);
      assert.equal(refused.code, 0, refused.stderr);
      assert.match(refused.stdout, /^\d+\.\d+\.\d+/);
      assert.match(refused.stderr, /root@\S+\.cache rejected/);
      assert.match(refused.stderr, /written/);
      assert.notEqual(statSync(path.join(dir, file)).size, 4096);
      assert.match((await runWithCache([BUILT, '--version'], dir)).stderr, /accepted/);
    });

    it('is not used from a directory others can write, a symbolic link, or where the path is a file', async () => {
      const open = tempDir('framesh-cc-');
      chmodSync(open, 0o777);
      const target = tempDir('framesh-cc-');
      const link = path.join(tempDir('framesh-cc-'), 'link');
      symlinkSync(target, link);
      const file = path.join(tempDir('framesh-cc-'), 'file');
      writeFileSync(file, '');
      for (const [dir, reason] of [
        [open, /writable by others \(mode 777\)/],
        [link, /not a directory/],
        [file, /not used/],
      ] as const) {
        const run = await runWithCache([BUILT, '--version'], dir);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, reason);
        assert.doesNotMatch(run.stderr, /missing|written|accepted/);
      }
      assert.deepEqual(cacheFiles(open), []);
      assert.deepEqual(cacheFiles(target), []);
    });

    it('FRAMESH_COMPILE_CACHE=off runs without one', async () => {
      const run = await runWithCache([BUILT, '--version'], 'off');
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stderr, /FRAMESH-COMPILE-CACHE/);
    });

    it('a rebuilt bundle of the same length never runs with the old build’s compiled code', async () => {
      // A copy of the launcher and the bundle, so that the bundle can be rewritten: V8 checks only a
      // source's length, so the cache's name must tell builds apart.
      const copy = tempDir('framesh-cc-copy-');
      mkdirSync(path.join(copy, 'dist/cli'), { recursive: true });
      copyFileSync(path.join(ROOT, 'package.json'), path.join(copy, 'package.json'));
      for (const name of ['main.js', 'compile-cache.js', 'framesh.bundle.cjs']) {
        copyFileSync(path.join(ROOT, 'dist/cli', name), path.join(copy, 'dist/cli', name));
      }
      const entry = path.join(copy, 'dist/cli/main.js');
      const bundle = path.join(copy, 'dist/cli/framesh.bundle.cjs');
      const dir = tempDir('framesh-cc-');
      const before = await runWithCache([entry, '--help'], dir);
      assert.equal(before.code, 0, before.stderr);
      assert.match(before.stdout, /^Usage: framesh/);
      assert.match((await runWithCache([entry, '--help'], dir)).stderr, /accepted/);

      const source = readFileSync(bundle, 'latin1');
      assert.ok(source.includes('"Usage:"'));
      writeFileSync(bundle, source.replaceAll('"Usage:"', '"USAGE:"'), 'latin1');
      const after = await runWithCache([entry, '--help'], dir);
      assert.equal(after.code, 0, after.stderr);
      assert.match(after.stdout, /^USAGE: framesh/);
      assert.match(after.stderr, /missing/);
      assert.equal(cacheFiles(dir).length, 1, 'the old build’s cache is removed when the new one is written');
    });

    it('without the bundle (the sources through tsx) the CLI runs from its modules', async () => {
      const run = await runWithCache(
        ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), '--version'],
        tempDir('framesh-cc-'),
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^\d+\.\d+\.\d+/);
      assert.doesNotMatch(run.stderr, /FRAMESH-COMPILE-CACHE/);
    });
  },
);
