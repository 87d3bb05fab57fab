/**
 * Issue 9 defect 9 (options): command=, no-pty/restrict and internal-sftp are enforced on every channel.
 * Before, options were ignored: a key limited to one command got a full shell and every file.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ClientIdentity, keyPairSigner } from '../../src/client/client-identity.js';
import { authExporterValue } from '../../src/transport/tls-exporter.js';
import { startSecureServer, tempDir } from '../helpers/secure.js';
import { RAW_HELLO, rawTlsPeer } from '../helpers/raw-tls-peer.js';

async function serverWithLine(
  options: string,
): Promise<Awaited<ReturnType<typeof startSecureServer>> & { root: string }> {
  const root = tempDir('framesh-restrict-root-');
  const setup = await startSecureServer({ root });
  const ed = readFileSync(path.join(setup.clientHome, 'id_ed25519.pub'), 'utf8').trim();
  writeFileSync(setup.authorizedKeysFile, `${options} ${ed}\n`);
  return { ...setup, root };
}

describe('authorized_keys options on channels', () => {
  it('command= runs the forced command for every exec, with the original in FRAMESH_ORIGINAL_COMMAND', async () => {
    const setup = await serverWithLine(`command="printf 'forced:%s|%s' \\"$FRAMESH_ORIGINAL_COMMAND\\" \\"$EVIL\\""`);
    const client = await setup.client();
    const asString = await client.run('touch /tmp/should-not-exist; echo hi', {
      env: { EVIL: 'x', BASH_ENV: '/tmp/evil' },
    });
    assert.equal(asString.stdout, 'forced:touch /tmp/should-not-exist; echo hi|');
    const asArgv = await client.run(['sh', '-c', "echo it's"]);
    assert.equal(asArgv.stdout, `forced:sh -c 'echo it'\\''s'|`);
  });

  it('command= refuses file channels (RESTRICTED) and the connection goes on', async () => {
    const setup = await serverWithLine('command="echo only"');
    const client = await setup.client();
    const local = path.join(tempDir('framesh-restrict-local-'), 'f.txt');
    writeFileSync(local, 'data');
    await assert.rejects(client.put(local, 'f.txt'), { code: 'RESTRICTED' });
    await assert.rejects(client.stat('.'), { code: 'RESTRICTED' });
    assert.equal(existsSync(path.join(setup.root, 'f.txt')), false);
    assert.equal((await client.run('anything')).stdout, 'only\n');
  });

  it('command="internal-sftp" allows file channels and refuses exec', async () => {
    const setup = await serverWithLine('restrict,command="internal-sftp"');
    const client = await setup.client();
    await assert.rejects(client.run('echo hi'), { code: 'RESTRICTED' });
    const local = path.join(tempDir('framesh-restrict-local-'), 'f.txt');
    writeFileSync(local, 'data');
    await client.put(local, 'f.txt');
    assert.equal(readFileSync(path.join(setup.root, 'f.txt'), 'utf8'), 'data');
  });

  it('no-pty and restrict refuse an open that asks for a terminal, as a channel error', async () => {
    for (const options of ['no-pty', 'restrict', 'command="true",no-pty']) {
      const setup = await serverWithLine(options);
      const identity = new ClientIdentity(keyPairSigner(setup.clientKey, 'test key'));
      const peer = await rawTlsPeer(setup.port);
      peer.send(RAW_HELLO);
      await peer.next('hello');
      peer.send(await identity.authMessage(authExporterValue(peer.socket) as Buffer, ['auth-publickey']));
      await peer.next('auth-ok');
      peer.send({
        type: 'open',
        ch: 1,
        kind: 'exec',
        command: 'sh',
        pty: { term: 'xterm', cols: 80, rows: 24 },
        window: 65536,
      });
      const error = await peer.next('error');
      assert.equal(error.code, 'RESTRICTED', options);
      assert.equal(error.ch, 1);
      peer.send({ type: 'ping', id: 7 });
      assert.equal((await peer.next('pong')).id, 7, 'the connection goes on');
      peer.socket.destroy();
    }
  });

  it('restrict alone still runs commands (there is nothing framesh forwards)', async () => {
    const setup = await serverWithLine('restrict,no-port-forwarding,permitopen="localhost:80"');
    const client = await setup.client();
    assert.equal((await client.run('echo ok')).stdout, 'ok\n');
  });
});
