/**
 * Issue 9 defect 8: one source could lock everyone out. Before, 10 silent TCP connections from one address
 * filled MaxStartups and every other client was refused until they timed out. Now each address holds at
 * most --per-source-max-startups (5) unauthenticated connections, and beyond `start` new ones are dropped
 * at random (start:rate:full, as sshd) instead of all.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it } from 'node:test';
import { parseStartupsPolicy, shouldDrop } from '../../src/server/startup-limits.js';
import { startSecureServer } from '../helpers/secure.js';

async function silentFrom(port: number, localAddress: string): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress });
  socket.on('error', () => {});
  await once(socket, 'connect');
  return socket;
}

describe('unauthenticated connections from one source', () => {
  it(
    '20 silent connections from 127.0.0.2 keep 5 slots; a client from 127.0.0.1 still gets in',
    { timeout: 30_000 },
    async () => {
      const setup = await startSecureServer({ authGraceMs: 20_000 });
      const refusals: string[] = [];
      const fifteenRefused = new Promise<void>((resolve) =>
        setup.server.on('refused', (info) => {
          refusals.push(info.reason);
          if (refusals.length === 15) resolve();
        }),
      );
      const silent = await Promise.all(Array.from({ length: 20 }, () => silentFrom(setup.port, '127.0.0.2')));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        fifteenRefused,
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`only ${refusals.length} of 20 refused: ${refusals.join(',')}`)),
            5000,
          );
        }),
      ]);
      clearTimeout(timer);
      assert.deepEqual(new Set(refusals), new Set(['per-source-max-startups']));
      const client = await setup.client();
      assert.equal((await client.run('echo in')).stdout, 'in\n');
      assert.equal(silent.filter((s) => !s.destroyed).length, 5);
      silent.forEach((s) => s.destroy());
    },
  );
});

describe('random early drop (start:rate:full)', () => {
  it('parses OpenSSH forms and refuses nonsense', () => {
    assert.deepEqual(parseStartupsPolicy('10:30:100'), { start: 10, rate: 30, full: 100 });
    assert.deepEqual(parseStartupsPolicy('7'), { start: 7, rate: 100, full: 7 });
    assert.deepEqual(parseStartupsPolicy(3), { start: 3, rate: 100, full: 3 });
    for (const bad of ['10:30', '10:101:100', '10:30:5', '-1', 'a:b:c', '1:2:3:4', ''])
      assert.throws(() => parseStartupsPolicy(bad), { code: 'INVALID_OPTION' }, bad);
  });

  it('decides as sshd does: none below start, rate% at start, rising linearly, all at full', () => {
    const policy = parseStartupsPolicy('10:30:100');
    const dropRate = (startups: number): number =>
      Array.from({ length: 100 }, (_, r) => r).filter((r) => shouldDrop(startups, policy, () => r)).length;
    assert.equal(dropRate(0), 0);
    assert.equal(dropRate(9), 0);
    assert.equal(dropRate(10), 30);
    assert.equal(dropRate(55), 65);
    assert.equal(dropRate(99), 100);
    assert.equal(dropRate(100), 100);
    assert.equal(dropRate(500), 100);
  });
});
