import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestServer } from '../helpers/servers.js';

/**
 * Library parity (issue 10): `run()` resolves with the shape node-ssh's execCommand and child_process
 * users expect, `{ code, signal, stdout, stderr }` (plus `reason` when the server ended the command),
 * and a non-zero exit is a result, not a rejection. This pins the shape so a refactor cannot drift.
 */
describe('run() result shape', () => {
  it('is { code, signal, stdout, stderr } with strings by default, Buffers with encoding: buffer', async () => {
    const { client } = await startTestServer();
    const c = await client();
    const text = await c.run('echo out; echo err >&2; exit 3');
    assert.deepEqual(Object.keys(text).sort(), ['code', 'signal', 'stderr', 'stdout']);
    assert.deepEqual(text, { code: 3, signal: null, stdout: 'out\n', stderr: 'err\n' });
    const bytes = await c.run(['printf', '\\377'], { encoding: 'buffer' });
    assert.ok(Buffer.isBuffer(bytes.stdout) && Buffer.isBuffer(bytes.stderr));
    assert.deepEqual(bytes.stdout, Buffer.from([0xff]));
    assert.equal(bytes.code, 0);
  });

  it('a signal gives code null and the signal name; a server timeout adds reason', async () => {
    const { client } = await startTestServer();
    const c = await client();
    assert.deepEqual(await c.run('kill -9 $$'), { code: null, signal: 'SIGKILL', stdout: '', stderr: '' });
    const timedOut = await c.run('sleep 30', { timeoutMs: 200 });
    assert.deepEqual(Object.keys(timedOut).sort(), ['code', 'reason', 'signal', 'stderr', 'stdout']);
    assert.equal(timedOut.reason, 'timeout');
    assert.equal(timedOut.code, null);
  });
});
