import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { startPythonClassicServer, type PythonClassicServer } from './classic-client-helpers.js';

/**
 * issue 10: the classic tutorial server greets with "连接成功!" and no newline; the classic client
 * prints it with print(), so on its own line. framesh printed it run together with the first reply.
 */
describe('framesh classic --greeting', () => {
  let server: PythonClassicServer;
  before(async () => {
    server = await startPythonClassicServer(['--format', 'json', '--greeting', '连接成功!']);
  });
  after(async () => {
    await server.stop();
  });

  it('prints a greeting without a final newline on its own line, through a pipe too', async () => {
    const result = await runCli(['classic', '--greeting', server.target, '--', 'echo hello'], { timeoutMs: 20_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '连接成功!\nhello\n');
  });
});
