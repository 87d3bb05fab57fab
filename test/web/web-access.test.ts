import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { encodeFrame, FrameReader } from '../../web/static/frame-codec.js';
import { browserSkip, newContext, socketUrl, startWebServer, type WebSetup } from './web-helpers.js';

/** Logs in from Node as a browser would, and returns the session cookie (`name=value`). */
async function loginCookie(setup: WebSetup): Promise<string> {
  const answer = await fetch(setup.loginUrl(), { redirect: 'manual' });
  assert.equal(answer.status, 303);
  assert.equal(answer.headers.get('location'), '/');
  assert.equal(answer.headers.get('cache-control'), 'no-store');
  const cookie = answer.headers.get('set-cookie')!;
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  return cookie.split(';')[0]!;
}

/**
 * Opens /ws with these headers and, if the upgrade is taken, runs `touch MARKER` on a channel as the page
 * would. Resolves with the HTTP status of a refused upgrade, or 101 once the command ended.
 */
function trySocket(setup: WebSetup, headers: Record<string, string>, marker: string): Promise<number> {
  const url = socketUrl(setup);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', reject);
    ws.on('open', () => {
      const reader = new FrameReader();
      ws.send(
        encodeFrame({
          type: 'hello',
          version: '1.0',
          agent: 'test',
          capabilities: [],
          limits: { maxHeaderBytes: 65536, maxBodyBytes: 1048576, maxChannels: 8 },
        }),
      );
      ws.send(encodeFrame({ type: 'open', ch: 1, kind: 'exec', command: ['touch', marker], window: 65536 }));
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) return; // the resumable stream's control (§12.3)
        for (const { header } of reader.push(data)) {
          if (header.type === 'exit' || header.type === 'error') {
            ws.close();
            resolve(101);
          }
        }
      });
    });
  });
}

describe('browser terminal: who gets in', { skip: browserSkip }, () => {
  it('a login URL works once: the second use is refused', async () => {
    const setup = await startWebServer();
    const url = setup.loginUrl();
    const context = await newContext();
    const page = await context.newPage();
    const first = await page.goto(url);
    assert.equal(first?.status(), 200);
    const other = await newContext();
    const second = await (await other.newPage()).goto(url);
    assert.equal(second?.status(), 403);
    assert.match(await second!.text(), /used already, it expired/);
    assert.deepEqual(await other.cookies(), [], 'no cookie for a refused token');
    await context.close();
    await other.close();
  });

  it('an expired login URL is refused', async () => {
    const setup = await startWebServer({ web: { tokenLifetimeMs: 20 } });
    const { url, expiresAtMs } = setup.web.mintLogin({ fingerprint: 'SHA256:test', comment: 'test key' });
    while (Date.now() <= expiresAtMs) await delay(5);
    const context = await newContext();
    const answer = await (await context.newPage()).goto(url);
    assert.equal(answer?.status(), 403);
    assert.deepEqual(await context.cookies(), []);
    await context.close();
  });

  it('without the cookie the page and the socket are refused', async () => {
    const setup = await startWebServer();
    const context = await newContext();
    const page = await (await context.newPage()).goto(setup.origin + '/');
    assert.equal(page?.status(), 401);
    const marker = path.join(setup.root, 'no-cookie');
    assert.equal(await trySocket(setup, { Origin: setup.origin }, marker), 401);
    assert.equal(existsSync(marker), false);
    const forged = await trySocket(setup, { Origin: setup.origin, Cookie: 'framesh=not-a-session' }, marker);
    assert.equal(forged, 401);
    assert.equal(existsSync(marker), false);
    await context.close();
  });

  it('a socket from a foreign Origin, with the session cookie, is refused and runs nothing', async () => {
    const setup = await startWebServer();
    const cookie = await loginCookie(setup);
    const refused: string[] = [];
    setup.web.on('refused', (info) => refused.push(info.reason));
    const marker = path.join(setup.root, 'cswsh');
    for (const origin of [
      'http://evil.example',
      setup.origin.replace('127.0.0.1', '127.0.0.1.evil.example'),
      `${setup.origin}.evil.example`,
      'null',
    ]) {
      assert.equal(await trySocket(setup, { Origin: origin, Cookie: cookie }, marker), 403, origin);
    }
    assert.equal(await trySocket(setup, { Cookie: cookie }, marker), 403, 'no Origin at all');
    assert.equal(existsSync(marker), false);
    assert.equal(setup.server.connectionCount, 0);
    assert.deepEqual(new Set(refused), new Set(['origin']));
    // The same socket from the served origin does run the command: the refusals above were the Origin's.
    assert.equal(await trySocket(setup, { Origin: setup.origin, Cookie: cookie }, marker), 101);
    assert.equal(existsSync(marker), true);
  });

  it('a request naming another Host (DNS rebinding) is refused', async () => {
    const setup = await startWebServer();
    const cookie = await loginCookie(setup);
    const { port } = new URL(setup.origin);
    const http = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(
          { host: '127.0.0.1', port, path: '/', headers: { Host: `rebound.example:${port}`, Cookie: cookie } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        )
        .on('error', reject);
    });
    assert.equal(status, 421);
  });

  it('the page carries a strict CSP and no inline script', async () => {
    const setup = await startWebServer();
    const cookie = await loginCookie(setup);
    const answer = await fetch(setup.origin + '/', { headers: { Cookie: cookie } });
    const csp = answer.headers.get('content-security-policy')!;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(answer.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(answer.headers.get('referrer-policy'), 'no-referrer');
    const html = await answer.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'every script has a src');
    assert.doesNotMatch(html, /<style|style=/, 'no inline style');
    assert.doesNotMatch(html, /https?:\/\//, 'nothing from another origin');
  });

  it('a malformed frame on an authenticated socket is answered as on TCP: an error frame, then the close', async () => {
    const setup = await startWebServer();
    const cookie = await loginCookie(setup);
    const ws = new WebSocket(socketUrl(setup), {
      headers: { Origin: setup.origin, Cookie: cookie },
    });
    await new Promise((resolve, reject) => ws.on('open', resolve).on('error', reject));
    const reader = new FrameReader();
    const received: string[] = [];
    ws.on(
      'message',
      (data: Buffer, isBinary: boolean) =>
        isBinary && received.push(...reader.push(data).map((f) => `${f.header.type} ${String(f.header.code ?? '')}`)),
    );
    const closed = new Promise((resolve) => ws.on('close', resolve));
    ws.send(Buffer.from([0, 0, 0, 5, 0x7b, 0x78, 0x78, 0x78, 0x7d]));
    await closed;
    assert.deepEqual(received, ['error PROTOCOL']);
    for (const deadline = Date.now() + 5000; setup.server.connectionCount > 0 && Date.now() < deadline;)
      await delay(10);
    assert.equal(setup.server.connectionCount, 0);
    // The server carries on: a new socket of the same session works.
    assert.equal(await trySocket(setup, { Origin: setup.origin, Cookie: cookie }, path.join(setup.root, 'after')), 101);
  });

  it('a socket must name its stream; one resuming a stream its session does not hold is closed with 4404', async () => {
    const setup = await startWebServer();
    const cookie = await loginCookie(setup);
    const headers = { Origin: setup.origin, Cookie: cookie };
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${setup.origin.replace(/^http/, 'ws')}/ws`, { headers });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)).on('error', reject);
    });
    assert.equal(status, 400);
    const code = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(socketUrl(setup, undefined, 100), { headers });
      ws.on('close', (closeCode) => resolve(closeCode)).on('error', reject);
    });
    assert.equal(code, 4404);
    assert.equal(setup.server.connectionCount, 0);
  });
});
