import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RemoteError } from '../../src/index.js';
import { startTestServer } from '../helpers/servers.js';
import { tempDir } from '../helpers/temp-dirs.js';

/**
 * docs/API.md: an error the server reports is a RemoteError whose stack includes the local call
 * site. The failure itself surfaces in a socket callback, so without the appended site the stack
 * names only framesh's internals (issue 10).
 */
describe('RemoteError stacks name the caller', () => {
  it('run, get, put and mkdir failures show the function that called them', async () => {
    const root = tempDir('framesh-stack-');
    writeFileSync(path.join(root, 'plain-file'), 'x');
    const { client } = await startTestServer({ root });
    const c = await client();
    const failureOf = async (work: () => Promise<unknown>): Promise<RemoteError> => {
      try {
        await work();
      } catch (err) {
        assert.ok(err instanceof RemoteError, `expected a RemoteError, got ${String(err)}`);
        return err;
      }
      assert.fail('the call should have failed');
    };
    async function callerOfRun(): Promise<RemoteError> {
      return failureOf(() => c.run(['no-such-program-framesh-test']));
    }
    async function callerOfGet(): Promise<RemoteError> {
      return failureOf(() => c.get('no/such/file', path.join(root, 'local-copy')));
    }
    async function callerOfPut(): Promise<RemoteError> {
      return failureOf(() => c.put(path.join(root, 'plain-file'), 'plain-file/below-a-file'));
    }
    async function callerOfMkdir(): Promise<RemoteError> {
      return failureOf(() => c.mkdir('plain-file/sub'));
    }
    for (const [name, call] of [
      ['callerOfRun', callerOfRun],
      ['callerOfGet', callerOfGet],
      ['callerOfPut', callerOfPut],
      ['callerOfMkdir', callerOfMkdir],
    ] as const) {
      const error = await call();
      const [own, site] = (error.stack ?? '').split('--- remote call started at ---');
      assert.ok(site !== undefined, `${name}: no caller site in ${error.stack}`);
      assert.doesNotMatch(own ?? '', new RegExp(name), `${name} should not be in the failure's own frames`);
      assert.match(site, /remote-error-stack\.test\.ts/, `${name}: caller site lacks the test file`);
      assert.equal(error.stack?.split('--- remote call started at ---').length, 2, 'the site is appended once');
    }
  });
});
