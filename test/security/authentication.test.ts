import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ClientIdentity, keyPairSigner } from '../../src/client/client-identity.js';
import { authExporterValue } from '../../src/transport/tls-exporter.js';
import { formatSshPublicKey } from '../../src/security/public-key-format.js';
import { rawTlsPeer, RAW_HELLO } from '../helpers/raw-tls-peer.js';
import { clientHomeWithKey, startSecureServer, tempDir } from '../helpers/secure.js';

const HELLO = RAW_HELLO;

describe('key authentication', () => {
  it('lets an authorized key in and runs commands', async () => {
    const setup = await startSecureServer();
    const client = await setup.client();
    assert.equal((await client.run('echo in')).stdout, 'in\n');
  });

  it('refuses an unknown key with AUTH_FAILED', async () => {
    const setup = await startSecureServer();
    const stranger = clientHomeWithKey('stranger');
    await assert.rejects(setup.client({ home: stranger.home }), { code: 'AUTH_FAILED' });
  });

  it('refuses a key removed from authorized_keys on the next connection, without a restart', async () => {
    const setup = await startSecureServer();
    await (await setup.client()).close();
    writeFileSync(setup.authorizedKeysFile, '# nobody\n');
    await assert.rejects(setup.client(), { code: 'AUTH_FAILED' });
    appendFileSync(setup.authorizedKeysFile, readFileSync(path.join(setup.clientHome, 'id_ed25519.pub')));
    await (await setup.client()).close();
  });

  it('accepts OpenSSH lines with options and framesh-format lines', async () => {
    const setup = await startSecureServer();
    const viaOpenSsh = clientHomeWithKey();
    const viaFramesh = clientHomeWithKey();
    const raw = viaFramesh.key.publicKey.export({ format: 'jwk' }).x as string;
    writeFileSync(
      setup.authorizedKeysFile,
      `from="127.0.0.1",no-pty ${formatSshPublicKey(viaOpenSsh.key.publicKey, 'ops laptop')}\n` +
        `ssh-rsa AAAAB3NzaC1yc2E unsupported\n` +
        `framesh-ed25519 ${Buffer.from(raw, 'base64url').toString('base64')} ci runner\n`,
    );
    await (await setup.client({ home: viaOpenSsh.home })).close();
    await (await setup.client({ home: viaFramesh.home })).close();
  });

  it('refuses auth bytes captured on one connection and replayed on another', async () => {
    const setup = await startSecureServer();
    const identity = new ClientIdentity(keyPairSigner(setup.clientKey, 'test key'));
    const first = await rawTlsPeer(setup.port);
    first.send(HELLO);
    await first.next('hello');
    const captured = await identity.authMessage(authExporterValue(first.socket) as Buffer, [
      'auth-ed25519',
      'auth-publickey',
    ]);
    first.send(captured);
    await first.next('auth-ok');
    first.socket.end();

    const second = await rawTlsPeer(setup.port);
    second.send(HELLO);
    await second.next('hello');
    second.send(captured);
    const received = await second.closed;
    assert.deepEqual(received.at(-1)?.code, 'AUTH_FAILED');
    assert.ok(!received.some((h) => h.type === 'auth-ok'));
  });

  it('never runs a command sent before authentication', async () => {
    const setup = await startSecureServer();
    const marker = path.join(tempDir('framesh-marker-'), 'ran');
    const peer = await rawTlsPeer(setup.port);
    peer.send(HELLO);
    await peer.next('hello');
    peer.send({ type: 'open', ch: 1, kind: 'exec', command: `touch ${marker}`, window: 65536 });
    const received = await peer.closed;
    assert.equal(received.at(-1)?.type, 'error');
    assert.equal(received.at(-1)?.code, 'PROTOCOL');
    // A command run after the refusal completes; had the early one started, its file would exist by now.
    const client = await setup.client();
    assert.equal((await client.run(['sh', '-c', 'sleep 0.2; echo done'])).stdout, 'done\n');
    assert.equal(existsSync(marker), false);
  });
});
