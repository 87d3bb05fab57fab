import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { startServeProcess } from '../helpers/cli.js';
import { CLIENT_HELLO, rawPeer } from '../helpers/raw-peer.js';
import { tempDir } from '../helpers/temp-dirs.js';

/**
 * Hardening issue, defect 14: with commands and transfers running, SIGTERM to
 * the server must give every open channel exactly one final frame (`exit`, `done` for a transfer, or
 * `error` for the channel) before the connection closes, whatever the timing.
 * Each round signals at a different moment; every channel is accounted for.
 */
/** Opened channels to wait for before SIGTERM; -1: signal first, so the opens cross the goaway on the wire. */
const MOMENTS = [-1, 2, 8];
const FINAL = new Set(['exit', 'done', 'error']);

describe('shutdown gives every channel its final frame', () => {
  for (const moment of MOMENTS) {
    const when = moment < 0 ? 'before the opens' : `after ${moment} channels opened`;
    it(`SIGTERM ${when}: each of 17 channels ends exactly once`, async () => {
      const root = tempDir('framesh-adv-shutdown-');
      writeFileSync(path.join(root, 'four.bin'), Buffer.alloc(4 * 1024 * 1024, 7));
      const flags = ['--insecure', '--root', root, '--shutdown-grace', '400ms', '--kill-grace', '200ms'];
      const server = await startServeProcess(flags);
      const peer = await rawPeer(server.port, { answerPings: true });
      peer.send(CLIENT_HELLO);
      await peer.next('hello');
      const window = 2 ** 31 - 1;
      const channels: number[] = [];
      // Whether the server reads the opens before or after it handles the signal, each must be answered.
      const stopped = moment < 0 ? server.stop('SIGTERM') : null;
      const open = (header: Record<string, unknown>): void => {
        const ch = channels.length + 1;
        channels.push(ch);
        peer.send({ type: 'open', ch, window, ...header });
      };
      for (let i = 0; i < 4; i++) {
        open({ kind: 'exec', command: 'echo quick' });
        open({ kind: 'exec', command: 'head -c 3000000 /dev/zero; sleep 0.1; echo done' });
        open({ kind: 'exec', command: 'sleep 30' });
        open({ kind: 'get', path: 'four.bin' });
      }
      // A put that never finishes: ended by the shutdown, not by its client.
      const putCh = channels.length + 1;
      channels.push(putCh);
      peer.send({ type: 'open', ch: putCh, kind: 'put', path: 'never-done.bin', size: 1000, window });
      await peer.until((got) => got.filter((f) => f.type === 'opened').length >= moment, 20_000);
      const exited = stopped ?? server.stop('SIGTERM');
      const frames = await peer.closed(30_000);
      assert.equal(await exited, 0, `serve exited badly; stderr: ${server.stderr()}`);
      for (const ch of channels) {
        const mine = frames.filter((f) => f.ch === ch);
        const finals = mine.filter((f) => FINAL.has(f.type));
        const shown = JSON.stringify(mine.filter((f) => f.type !== 'data'));
        assert.equal(finals.length, 1, `channel ${ch} got ${finals.length} final frames: ${shown}`);
        const after = mine.slice(mine.findIndex((f) => FINAL.has(f.type)) + 1).map((f) => f.type);
        assert.deepEqual(after, [], `channel ${ch} got frames after its final one`);
      }
      assert.ok(
        frames.some((f) => f.type === 'goaway'),
        'no goaway before the close',
      );
    });
  }
});
