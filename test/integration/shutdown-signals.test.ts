import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { connect } from '../../src/index.js';
import { CLI_ARGS, tempHome } from '../helpers/cli.js';

/**
 * A terminal's Ctrl-C, or a service manager stopping a unit, signals the server's whole process group,
 * spawn helpers included. Running commands must still get the shutdown grace, whichever way they were
 * started (inline or through a helper).
 */
describe('shutdown by a signal to the whole process group', () => {
  // adaptive: the first command forks inline, the second goes through a helper; native: posix_spawn.
  for (const [signal, launcher] of [
    ['SIGINT', 'adaptive'],
    ['SIGTERM', 'adaptive'],
    ['SIGTERM', 'native'],
  ] as const) {
    it(`${signal} to the group lets inline and helper-started commands finish (FRAMESH_LAUNCHER=${launcher})`, async () => {
      // Its own process group, so the signal reaches the server and its helpers but not this test.
      const serve = spawn(
        process.execPath,
        [...CLI_ARGS, 'serve', '--insecure', '--port', '0', '--shutdown-grace', '10s'],
        {
          detached: true,
          env: { ...process.env, FRAMESH_HOME: tempHome(), FRAMESH_LAUNCHER: launcher },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const exited = once(serve, 'exit');
      let out = '';
      serve.stderr.resume();
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('serve did not start')), 30_000);
        serve.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on .*:(\d+)/.exec(out);
          if (match) {
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        });
      });
      const client = await connect({ port, insecure: true });
      try {
        // The first command of an idle server forks inline; the second, while it runs, goes through a helper.
        const calls = [client.exec('sleep 0.5; echo first'), client.exec('sleep 0.5; echo second')];
        const outputs = calls.map(async (call) => {
          call.stdin.end();
          let text = '';
          for await (const chunk of call.stdout) text += (chunk as Buffer).toString();
          return text;
        });
        await Promise.all(calls.map((call) => call.started));
        process.kill(-(serve.pid as number), signal);
        const results = await Promise.all(
          calls.map(async (call, i) => ({ exit: await call.exit, text: await outputs[i] })),
        );
        assert.deepEqual(
          results.map((r) => r.exit),
          [
            { code: 0, signal: null },
            { code: 0, signal: null },
          ],
        );
        assert.deepEqual(
          results.map((r) => r.text),
          ['first\n', 'second\n'],
        );
      } finally {
        await client.close();
      }
      const [code] = (await exited) as [number | null];
      assert.equal(code, 0);
    });
  }
});
