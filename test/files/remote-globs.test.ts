/** Issue 10: remote globs (host:'logs/*.log') expand on the server, within the root; odd names keep working. */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, type FrameshClient } from '../../src/index.js';
import { runCli, startServeProcess, type ServeProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dirs.js';

describe('remote globs', () => {
  let serve: ServeProcess;
  let client: FrameshClient;
  let root: string;
  before(async () => {
    const base = tempDir('framesh-globs-');
    root = path.join(base, 'root');
    mkdirSync(path.join(root, 'logs', 'old'), { recursive: true });
    mkdirSync(path.join(root, 'home'));
    mkdirSync(path.join(base, 'outside'));
    writeFileSync(path.join(base, 'outside', 'secret.log'), 'outside\n');
    for (const name of ['a1.log', 'b2.log', 'c3.txt', '.hidden.log', 'with space.log', 'report[1].log']) {
      writeFileSync(path.join(root, 'logs', name), `${name}\n`);
    }
    writeFileSync(path.join(root, 'logs', 'old', 'z.log'), 'z\n');
    writeFileSync(path.join(root, 'home', 'h.log'), 'h\n');
    symlinkSync(path.join(base, 'outside'), path.join(root, 'out-link'));
    serve = await startServeProcess(['--insecure', '--root', root], { HOME: path.join(root, 'home') });
    client = await connect({ host: '127.0.0.1', port: serve.port, insecure: true });
  });
  after(async () => {
    await client.close();
    await serve.stop();
  });
  const paths = async (pattern: string): Promise<string[]> => (await client.glob(pattern)).map((m) => m.path);

  it('expands *, ? and [...] per component, skips dotfiles unless asked, sorts', async () => {
    assert.deepEqual(await paths('logs/*.log'), [
      'logs/a1.log',
      'logs/b2.log',
      'logs/report[1].log',
      'logs/with space.log',
    ]);
    assert.deepEqual(await paths('logs/?1.log'), ['logs/a1.log']);
    assert.deepEqual(await paths('logs/[ab]*'), ['logs/a1.log', 'logs/b2.log']);
    assert.deepEqual(await paths('logs/[!ab]*.txt'), ['logs/c3.txt']);
    assert.deepEqual(await paths('logs/.*.log'), ['logs/.hidden.log']);
    assert.deepEqual(await paths('*/*/*.log'), ['logs/old/z.log']);
    assert.deepEqual(await paths('~/*.log'), ['~/h.log']);
    assert.deepEqual(await paths('nothing/*.log'), []);
    const [first] = await client.glob('logs/a*.log');
    assert.equal(first?.type, 'file');
    assert.equal(first?.size, 'a1.log\n'.length);
  });

  it('never lists or enters anything outside the root', async () => {
    assert.deepEqual(await paths('out-link/*'), []);
    assert.deepEqual(await paths('*/secret.log'), []);
    await assert.rejects(client.glob('../*'), { code: 'PATH_ESCAPE' });
  });

  it("CLI: get host:'logs/*.log' DIR copies every match; a literal name with [ ] still works", async () => {
    const dest = tempDir('framesh-globs-dest-');
    const result = await runCli(['get', '--insecure', '-q', `127.0.0.1:${serve.port}:logs/*.log`, dest]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(readdirSync(dest).sort(), ['a1.log', 'b2.log', 'report[1].log', 'with space.log']);
    const one = tempDir('framesh-globs-one-');
    writeFileSync(path.join(root, 'logs', 'x[y].log'), 'literal\n');
    const literal = await runCli(['get', '--insecure', '-q', `127.0.0.1:${serve.port}:logs/x[y].log`, one]);
    assert.equal(literal.code, 0, literal.stderr);
    assert.equal(readFileSync(path.join(one, 'x[y].log'), 'utf8'), 'literal\n');
    const none = await runCli(['get', '--insecure', '-q', `127.0.0.1:${serve.port}:logs/*.nope`, one]);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /no match on the server/);
  });
});
