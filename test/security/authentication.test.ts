import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { describe, it } from 'node:test';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import { DEFAULT_LIMITS } from '../../src/protocol/constants.js';
import type { FrameHeader } from '../../src/protocol/frame.js';
import { ClientIdentity, keyPairSigner } from '../../src/client/client-identity.js';
import { authExporterValue } from '../../src/transport/tls-exporter.js';
import { formatSshPublicKey } from '../../src/security/public-key-format.js';
import { clientHomeWithKey, startSecureServer, tempDir } from '../helpers/secure.js';

const HELLO = { type: 'hello', version: '1.0', agent: 'raw-test', capabilities: ['exec'], limits: DEFAULT_LIMITS };

/** A hand-driven TLS peer: sends frames, collects the headers it receives until the server closes. */
async function rawTlsPeer(port: number): Promise<{ socket: tls.TLSSocket; send(h: object): void; next(type: string): Promise<FrameHeader>; closed: Promise<FrameHeader[]> }> {
  const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  const decoder = new FrameDecoder(DEFAULT_LIMITS);
  const received: FrameHeader[] = [];
  const waiters: Array<() => void> = [];
  socket.on('data', (chunk: Buffer) => {
    received.push(...decoder.decode(chunk).frames.map((f) => f.header));
    waiters.splice(0).forEach((w) => w());
  });
  socket.on('error', () => {});
  const closed = new Promise<FrameHeader[]>((resolve) => socket.once('close', () => resolve(received)));
  return {
    socket,
    send: (h) => socket.write(encodeFrameToBuffer(h as { type: string })),
    next: (type) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = received.find((h) => h.type === type);
          if (found) resolve(found);
          else if (socket.destroyed) reject(new Error(`closed before "${type}"; got ${JSON.stringify(received)}`));
          else waiters.push(check);
        };
        socket.once('close', check);
        check();
      }),
    closed,
  };
}

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
    const captured = await identity.authMessage(authExporterValue(first.socket) as Buffer, ['auth-ed25519', 'auth-publickey']);
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
