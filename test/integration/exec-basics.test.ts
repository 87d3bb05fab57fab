import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestServer } from '../helpers/servers.js';
import { runCli, startServeProcess } from '../helpers/cli.js';

describe('exec basics', () => {
  it('runs a shell string and keeps stdout, stderr and the exit code apart', async () => {
    const { client } = await startTestServer();
    const c = await client();
    const result = await c.run('echo out; echo err >&2; exit 3');
    assert.deepEqual(result, { code: 3, signal: null, stdout: 'out\n', stderr: 'err\n' });
  });

  it('runs an argv without a shell, keeping word boundaries', async () => {
    const { client } = await startTestServer();
    const c = await client();
    const result = await c.run(['printf', '%s|', 'a b', '$HOME']);
    assert.equal(result.stdout, 'a b|$HOME|');
  });

  it('CLI exec returns the remote exit status', async () => {
    const serve = await startServeProcess(['--insecure']);
    try {
      const result = await runCli(['exec', '--insecure', `127.0.0.1:${serve.port}`, '--', 'echo hi; exit 7']);
      assert.equal(result.stdout, 'hi\n');
      assert.equal(result.code, 7);
    } finally {
      assert.equal(await serve.stop(), 0);
    }
  });
});
