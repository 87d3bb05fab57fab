/**
 * Issue 9 defect 7: the failure delay throttles. Before, a success was answered at once and the delay came
 * only after a failed check, so a client that hung up 150 ms after each proof tried hundreds of keys a
 * second; a delay longer than the grace left turned AUTH_FAILED into AUTH_TIMEOUT; key comments of any
 * size went to the audit log.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { ClientIdentity, keyPairSigner } from '../../src/client/client-identity.js';
import { authExporterValue } from '../../src/transport/tls-exporter.js';
import { clientHomeWithKey, startSecureServer } from '../helpers/secure.js';
import { RAW_HELLO, rawTlsPeer } from '../helpers/raw-tls-peer.js';

describe('authentication throttling', () => {
  it(
    'counts a proof whose connection closes before the answer as failed, and checks later proofs only after the delay',
    { timeout: 30_000 },
    async () => {
      const setup = await startSecureServer({ authFailureDelayMs: 200, authGraceMs: 20_000 });
      const identity = new ClientIdentity(keyPairSigner(setup.clientKey, 'test key'));
      const reasons: string[] = [];
      setup.server.on('authFailed', (info) => reasons.push(info.reason));
      // One refused key from this address, then two proofs of the authorized key whose senders hang up
      // 50 ms later, before the delay is over: each counts as a failure, and neither is let in.
      await assert.rejects(setup.client({ home: clientHomeWithKey('stranger').home }), { code: 'AUTH_FAILED' });
      for (let i = 0; i < 2; i++) {
        const peer = await rawTlsPeer(setup.port);
        peer.send(RAW_HELLO);
        await peer.next('hello');
        peer.send(await identity.authMessage(authExporterValue(peer.socket) as Buffer, ['auth-publickey']));
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.equal(
          peer.received.some((h) => h.type === 'auth-ok'),
          false,
          'a proof was answered before the delay',
        );
        peer.socket.destroy();
        await peer.closed;
      }
      await new Promise<void>((resolve) => {
        const check = (): void => void (reasons.length >= 3 && resolve());
        setup.server.on('authFailed', check);
        check();
      });
      assert.deepEqual(reasons.slice(1), [
        'the client closed before the answer',
        'the client closed before the answer',
      ]);
      // Now even a good proof waits: 3 failures remembered, so 200 * 2^2 ms before it is checked.
      const peer = await rawTlsPeer(setup.port);
      peer.send(RAW_HELLO);
      await peer.next('hello');
      const sentAt = performance.now();
      peer.send(await identity.authMessage(authExporterValue(peer.socket) as Buffer, ['auth-publickey']));
      await peer.next('auth-ok');
      const waited = performance.now() - sentAt;
      assert.ok(waited >= 780, `a proof after three failures was answered after ${waited.toFixed(0)} ms`);
      peer.socket.destroy();
    },
  );

  it(
    'answers a refused key with AUTH_FAILED even when the delay exceeds the grace time left',
    { timeout: 30_000 },
    async () => {
      const setup = await startSecureServer({ authFailureDelayMs: 5000, authGraceMs: 800 });
      const stranger = clientHomeWithKey('stranger');
      const started = performance.now();
      await assert.rejects(setup.client({ home: stranger.home }), { code: 'AUTH_FAILED' });
      assert.ok(performance.now() - started < 4000);
    },
  );

  it(
    'lets clients logging in at once from one address in without delaying each other',
    { timeout: 30_000 },
    async () => {
      // Before, every attempt in flight counted as a failure until it succeeded, so the sixth of six
      // parallel logins waited 5 s (the cap) before its proof was even checked.
      const setup = await startSecureServer({ authFailureDelayMs: 5000, perSourceMaxStartups: 0 });
      const started = performance.now();
      const clients = await Promise.all(Array.from({ length: 6 }, () => setup.client()));
      const took = performance.now() - started;
      assert.equal(clients.length, 6);
      assert.ok(took < 4500, `six parallel logins took ${took.toFixed(0)} ms`);
    },
  );

  it('cuts a 60 KiB key comment before it reaches the audit log', { timeout: 30_000 }, async () => {
    const setup = await startSecureServer({ authFailureDelayMs: 1 });
    const stranger = clientHomeWithKey('stranger');
    const identity = new ClientIdentity(keyPairSigner({ ...stranger.key, comment: 'c'.repeat(60 * 1024) }, 'test key'));
    const failed = once(setup.server, 'authFailed');
    const peer = await rawTlsPeer(setup.port);
    peer.send(RAW_HELLO);
    await peer.next('hello');
    peer.send(await identity.authMessage(authExporterValue(peer.socket) as Buffer, ['auth-publickey']));
    const [info] = (await failed) as [{ comment: string; reason: string }];
    assert.ok(info.comment.length < 400, `comment logged with ${info.comment.length} characters`);
    assert.match(info.comment, /61440 characters/);
    assert.equal((await peer.next('error')).code, 'AUTH_FAILED');
  });
});
