import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, startServeProcess, tempHome } from '../helpers/cli.js';

/** Resolves once `text()` matches `pattern`, re-checking on each new chunk of the stream (no sleeps). */
function waitFor(
  stream: NodeJS.ReadableStream,
  text: () => string,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const match = pattern.exec(text());
      if (!match) return false;
      clearTimeout(timer);
      stream.off('data', onData);
      resolve(match);
      return true;
    };
    const onData = (): void => {
      // The listener runs after serve-process's own, which appends the chunk to text().
      setImmediate(check);
    };
    const timer = setTimeout(() => {
      stream.off('data', onData);
      reject(new Error(`no ${pattern} within ${timeoutMs} ms in: ${text()}`));
    }, timeoutMs);
    stream.on('data', onData);
    check();
  });
}

/** issue 10, running as a service: one ready line in the log, and SIGHUP re-reads the keys. */
describe('serve as a service: ready line and SIGHUP', () => {
  it('logs one ready line; SIGHUP re-reads keys (a key added lets its client in), and the server keeps serving', async () => {
    const serverHome = tempHome();
    const serve = await startServeProcess([], { FRAMESH_HOME: serverHome });
    try {
      const ready = await waitFor(serve.child.stderr, serve.stderr, /\{[^\n]*"event":"ready"[^\n]*\}/);
      const line = JSON.parse(ready[0]) as Record<string, unknown>;
      assert.equal(line.address, `127.0.0.1:${serve.port}`);
      assert.equal(line.tls, true);
      assert.match(String(line.fingerprint), /^SHA256:/);
      assert.equal(serve.stderr().match(/"event":"ready"/g)?.length, 1, 'exactly one ready line');

      const clientHome = tempHome();
      assert.equal((await runCli(['keygen', '-C', 'added-later'], { env: { FRAMESH_HOME: clientHome } })).code, 0);
      appendFileSync(path.join(serverHome, 'authorized_keys'), readFileSync(path.join(clientHome, 'id_ed25519.pub')));
      serve.child.kill('SIGHUP');
      const reload = await waitFor(serve.child.stderr, serve.stderr, /\{[^\n]*"event":"reload"[^\n]*\}/);
      const reloaded = JSON.parse(reload[0]) as Record<string, unknown>;
      assert.equal(reloaded.signal, 'SIGHUP');
      assert.equal(reloaded.authorizedKeys, 2, 'the first-run key and the one just added');
      assert.equal(reloaded.fingerprint, line.fingerprint, 'the same host key');

      const exec = await runCli(['exec', '--accept-new', `127.0.0.1:${serve.port}`, '--', 'echo after hangup'], {
        env: { FRAMESH_HOME: clientHome },
      });
      assert.equal(exec.code, 0, exec.stderr);
      assert.equal(exec.stdout, 'after hangup\n');
      assert.equal(serve.child.exitCode, null, 'SIGHUP no longer ends the server');
    } finally {
      assert.equal(await serve.stop(), 0);
    }
  });
});
