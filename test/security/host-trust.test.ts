import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { connect, createServer } from '../../src/index.js';
import { startSecureServer } from '../helpers/secure.js';

describe('server identity and known_hosts', () => {
  it('refuses an unknown host without --accept-new, then remembers it with it', async () => {
    const setup = await startSecureServer();
    await assert.rejects(setup.client({ acceptNew: false }), (err: Error & { code: string }) => {
      assert.equal(err.code, 'HOST_KEY_UNKNOWN');
      assert.match(err.message, new RegExp(String(setup.server.fingerprint).replace(/[+/]/g, '\\$&')));
      return true;
    });
    await (await setup.client({ acceptNew: true })).close();
    const known = readFileSync(path.join(setup.clientHome, 'known_hosts'), 'utf8');
    assert.equal(known, `127.0.0.1:${setup.port} ${setup.server.fingerprint}\n`);
    await (await setup.client({ acceptNew: false })).close();
  });

  it('asks the confirm callback on first use and refuses on "no"', async () => {
    const setup = await startSecureServer();
    const asked: string[] = [];
    await assert.rejects(
      setup.client({ acceptNew: false, confirmHostKey: async (host, fp) => (asked.push(`${host} ${fp}`), false) }),
      { code: 'HOST_KEY_UNKNOWN' },
    );
    assert.deepEqual(asked, [`127.0.0.1:${setup.port} ${setup.server.fingerprint}`]);
  });

  it('refuses a pinned fingerprint that does not match', async () => {
    const setup = await startSecureServer();
    await assert.rejects(setup.client({ fingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), {
      code: 'HOST_KEY_MISMATCH',
    });
    await (await setup.client({ acceptNew: false, fingerprint: setup.server.fingerprint as string })).close();
  });

  it('refuses a changed host key loudly, naming both fingerprints and the line to remove', async () => {
    const setup = await startSecureServer();
    const knownHosts = path.join(setup.clientHome, 'known_hosts');
    const old = 'SHA256:oldoldoldoldoldoldoldoldoldoldoldoldoldoldo';
    writeFileSync(knownHosts, `example:1 SHA256:x\n127.0.0.1:${setup.port} ${old}\n`);
    await assert.rejects(setup.client({ acceptNew: true }), (err: Error & { code: string }) => {
      assert.equal(err.code, 'HOST_KEY_CHANGED');
      assert.ok(err.message.includes(old) && err.message.includes(setup.server.fingerprint as string));
      assert.ok(err.message.includes(`remove line 2 of ${knownHosts}`));
      return true;
    });
  });

  it('refuses a private key that others can read (mode 0644)', async () => {
    const setup = await startSecureServer();
    chmodSync(path.join(setup.clientHome, 'id_ed25519'), 0o644);
    await assert.rejects(setup.client(), (err: Error & { code: string }) => {
      assert.equal(err.code, 'KEY_PERMISSIONS');
      assert.match(err.message, /0644.*too open/);
      return true;
    });
  });

  it('keeps the host key across restarts', async () => {
    const setup = await startSecureServer();
    const again = createServer({ home: setup.serverHome });
    await again.listen(0, '127.0.0.1');
    assert.equal(again.fingerprint, setup.server.fingerprint);
    assert.equal(again.hostKeyCreated, false);
    await again.close(100);
  });
});

describe('plaintext and TLS mismatches', () => {
  it('a plaintext client talking to a TLS server gets TLS_REQUIRED', async () => {
    const setup = await startSecureServer();
    await assert.rejects(connect({ port: setup.port, insecure: true, timeoutMs: 5000 }), { code: 'TLS_REQUIRED' });
  });

  it('a TLS client talking to a plaintext server gets TLS_MISMATCH', async () => {
    const setup = await startSecureServer();
    const plain = createServer({ insecure: true });
    const { port } = await plain.listen(0, '127.0.0.1');
    try {
      await assert.rejects(connect({ port, home: setup.clientHome, acceptNew: true, timeoutMs: 5000 }), {
        code: 'TLS_MISMATCH',
      });
    } finally {
      await plain.close(100);
    }
  });
});
