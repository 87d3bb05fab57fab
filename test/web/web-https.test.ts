import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createServer } from '../../src/index.js';
import { loadOrCreateWebCertificate } from '../../src/web/web-certificate.js';
import { WebService } from '../../src/web/web-service.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { browserSkip, newContext, openTerminal, startWebServer, typeLine, waitForText } from './web-helpers.js';

describe('browser terminal over HTTPS', { skip: browserSkip }, () => {
  it('the page’s own certificate is ECDSA, kept in FRAMESH_HOME (key 0600), and remade for a new name', async () => {
    const home = tempDir('framesh-web-home-');
    const first = await loadOrCreateWebCertificate(home, ['127.0.0.1', 'term.example']);
    assert.equal(first.created, true);
    const cert = new X509Certificate(first.certPem);
    assert.equal(cert.publicKey.asymmetricKeyType, 'ec');
    assert.ok(cert.checkIP('127.0.0.1'));
    assert.ok(cert.checkHost('term.example'));
    assert.equal(statSync(path.join(home, 'web_key.pem')).mode & 0o777, 0o600);
    const again = await loadOrCreateWebCertificate(home, ['127.0.0.1']);
    assert.equal(again.created, false);
    assert.equal(again.fingerprint256, first.fingerprint256);
    const renamed = await loadOrCreateWebCertificate(home, ['other.example']);
    assert.equal(renamed.created, true);
  });

  it('logs in over HTTPS: Secure __Host- cookie, wss socket, the shell answers', async () => {
    const tls = await loadOrCreateWebCertificate(tempDir('framesh-web-home-'), ['127.0.0.1']);
    const setup = await startWebServer({ web: { certPem: tls.certPem, keyPem: tls.keyPem } });
    assert.match(setup.origin, /^https:\/\/127\.0\.0\.1:\d+$/);
    const context = await newContext(undefined, { ignoreHTTPSErrors: true });
    const page = await openTerminal(setup, context);
    await typeLine(page, 'echo over-tls');
    await waitForText(page, /^over-tls$/m);
    const [cookie] = await context.cookies();
    assert.equal(cookie!.name, '__Host-framesh');
    assert.equal(cookie!.secure, true);
    assert.equal(cookie!.httpOnly, true);
    const plain = await context.newPage();
    await assert.rejects(plain.goto(setup.origin.replace('https:', 'http:') + '/'), 'no plaintext on the HTTPS port');
    await context.close();
  });

  it('refuses to start off loopback without a certificate, or on a wildcard address without --web-origin', async () => {
    const server = createServer({ insecure: true, root: tempDir('framesh-web-root-') });
    await server.listen(0, '127.0.0.1');
    const bare = new WebService(server, { host: '192.0.2.1', port: 0 });
    await assert.rejects(bare.listen(), /served over HTTPS only/);
    const tls = await loadOrCreateWebCertificate(tempDir('framesh-web-home-'), ['127.0.0.1']);
    const wildcard = new WebService(server, { host: '0.0.0.0', port: 0, certPem: tls.certPem, keyPem: tls.keyPem });
    await assert.rejects(wildcard.listen(), /--web-origin/);
    await server.close(100);
  });
});
