import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { encodeFrameToBuffer } from '../../src/protocol/frame-encoder.js';
import { DEFAULT_LIMITS } from '../../src/protocol/constants.js';
import { clearedSessionCookie, parseCookies, sessionCookie, sessionCookieName } from '../../src/web/cookies.js';
import { attachment } from '../../src/web/download-handler.js';
import { LoginTokens } from '../../src/web/login-tokens.js';
import { hostAllowed, originAllowed, servedOrigins } from '../../src/web/origin-check.js';
import { contentSecurityPolicy } from '../../src/web/security-headers.js';
import { webUsesTls } from '../../src/web/web-service.js';
import { isUserActivity } from '../../src/web/socket-bridge.js';
import { WebSessions } from '../../src/web/web-sessions.js';
import { encodeFrame, FrameReader } from '../../web/static/frame-codec.js';

describe('login tokens', () => {
  it('are 32 random bytes, good once, for their lifetime only', () => {
    let now = 1000;
    const tokens = new LoginTokens<string>(60_000, () => now);
    const { token, expiresAtMs } = tokens.mint('alice');
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    assert.equal(expiresAtMs, 61_000);
    assert.notEqual(tokens.mint('x').token, token);
    assert.equal(tokens.redeem(token), 'alice');
    assert.equal(tokens.redeem(token), null, 'single use');
    const late = tokens.mint('bob');
    now = 61_000 + 1000;
    assert.equal(tokens.redeem(late.token), null, 'expired');
    now = 1000;
    const edge = tokens.mint('carol');
    now = edge.expiresAtMs;
    assert.equal(tokens.redeem(edge.token), null, 'expired at the deadline itself');
  });

  it('refuse unknown, altered and empty tokens', () => {
    const tokens = new LoginTokens<string>();
    const { token } = tokens.mint('alice');
    assert.equal(tokens.redeem(''), null);
    assert.equal(tokens.redeem(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')), null);
    assert.equal(tokens.redeem('x'.repeat(43)), null);
    assert.equal(tokens.redeem(token), 'alice', 'the wrong guesses did not use it up');
  });

  it('keep no plain token in memory, and forget expired ones when minting', () => {
    let now = 0;
    const tokens = new LoginTokens<string>(10, () => now);
    const { token } = tokens.mint('a');
    assert.doesNotMatch(
      JSON.stringify([...(tokens as unknown as { pending: Map<string, unknown> }).pending.keys()]),
      new RegExp(token),
    );
    now = 100;
    tokens.mint('b');
    assert.equal(tokens.size, 1);
  });
});

describe('web sessions', () => {
  it('end after the idle time, restarted by use, and after the absolute age whatever the use', () => {
    let now = 0;
    const sessions = new WebSessions(100, 250, () => now);
    const ended: string[] = [];
    sessions.on('ended', (id, reason) => ended.push(`${id}:${reason}`));
    const { id, secret } = sessions.create({ fingerprint: 'SHA256:k', comment: 'me' });
    assert.match(id, /^[0-9a-f]{12}$/);
    assert.notEqual(secret, id);
    now = 90;
    assert.equal(sessions.touch(secret)?.id, id);
    now = 180;
    assert.equal(sessions.touch(secret)?.id, id, 'idle clock restarted at 90');
    now = 240;
    assert.equal(sessions.touch(secret)?.id, id);
    now = 250;
    assert.equal(sessions.touch(secret), null, 'absolute age');
    assert.deepEqual(ended, [`${id}:expired`]);
    const idle = sessions.create({ fingerprint: null, comment: '' });
    now = 350;
    sessions.expireDue();
    assert.equal(sessions.touch(idle.secret), null);
    assert.equal(ended.length, 2);
  });

  it('list without secrets; revoke by public id', () => {
    const sessions = new WebSessions();
    const a = sessions.create({ fingerprint: 'SHA256:a', comment: 'a' });
    sessions.create({ fingerprint: 'SHA256:b', comment: 'b' });
    const listing = sessions.list();
    assert.equal(listing.length, 2);
    assert.doesNotMatch(JSON.stringify(listing), new RegExp(a.secret));
    assert.equal(sessions.revoke('nope'), false);
    assert.equal(sessions.revoke(a.id), true);
    assert.equal(sessions.touch(a.secret), null);
    assert.equal(sessions.list().length, 1);
    assert.equal(sessions.touch(undefined), null);
  });
});

describe('cookies', () => {
  it('parses a Cookie header; the first of a name wins; junk is skipped', () => {
    const cookies = parseCookies('a=1; framesh=abc_-; =x; junk; b="q"; a=2');
    assert.equal(cookies.get('a'), '1');
    assert.equal(cookies.get('framesh'), 'abc_-');
    assert.equal(cookies.get('b'), 'q');
    assert.equal(cookies.size, 3);
    assert.equal(parseCookies(undefined).size, 0);
  });

  it('the session cookie is HttpOnly and SameSite=Strict, Secure and __Host- over HTTPS', () => {
    assert.equal(sessionCookie('s', false), 'framesh=s; Path=/; HttpOnly; SameSite=Strict');
    assert.equal(sessionCookie('s', true), '__Host-framesh=s; Path=/; HttpOnly; SameSite=Strict; Secure');
    assert.equal(sessionCookieName(true), '__Host-framesh');
    assert.match(clearedSessionCookie(false), /Max-Age=0/);
  });
});

describe('origin and host checks', () => {
  it('a loopback server is its address, localhost and [::1], on its port, exactly', () => {
    const allowed = servedOrigins('http', '127.0.0.1', 8022);
    assert.ok(originAllowed('http://127.0.0.1:8022', allowed));
    assert.ok(originAllowed('http://localhost:8022', allowed));
    assert.ok(originAllowed('http://[::1]:8022', allowed));
    for (const bad of [
      'http://127.0.0.1:8023',
      'https://127.0.0.1:8022',
      'http://127.0.0.1:8022/',
      'http://evil.example',
      'null',
      '',
      'http://127.0.0.1:8022.evil.example',
    ]) {
      assert.equal(originAllowed(bad, allowed), false, bad);
    }
    assert.equal(originAllowed(undefined, allowed), false);
  });

  it('a non-loopback server is https on its address, plus each --web-origin, default port left out', () => {
    const allowed = servedOrigins('https', '192.0.2.7', 443, ['https://Term.Example.org:443/']);
    assert.deepEqual([...allowed].sort(), ['https://192.0.2.7', 'https://term.example.org']);
    assert.ok(hostAllowed('192.0.2.7', 'https', allowed));
    assert.ok(hostAllowed('term.example.org:443', 'https', allowed));
    assert.equal(hostAllowed('localhost', 'https', allowed), false);
    assert.equal(hostAllowed(undefined, 'https', allowed), false);
  });

  it('HTTPS off loopback always, and whenever a certificate is given', () => {
    assert.equal(webUsesTls('127.0.0.1', false), false);
    assert.equal(webUsesTls('127.0.0.1', true), true);
    assert.equal(webUsesTls('0.0.0.0', false), true);
    assert.equal(webUsesTls('192.0.2.7', false), true);
  });
});

describe('headers', () => {
  it('the CSP allows scripts from the origin only and styles from it or the page nonce', () => {
    const csp = contentSecurityPolicy('n0nce');
    assert.match(csp, /script-src 'self';/);
    assert.match(csp, /style-src 'self' 'nonce-n0nce';/);
    assert.doesNotMatch(csp, /unsafe/);
    assert.match(contentSecurityPolicy(), /style-src 'self';/);
  });

  it('Content-Disposition: an attachment with an ASCII fallback and the UTF-8 name', () => {
    assert.equal(attachment('r.bin'), `attachment; filename="r.bin"; filename*=UTF-8''r.bin`);
    assert.equal(attachment('ä "x".txt'), `attachment; filename="_ _x_.txt"; filename*=UTF-8''%C3%A4%20%22x%22.txt`);
  });
});

describe('idle time', () => {
  it('keystrokes, resizes and uploads are use; pongs and window credit the page sends by itself are not', () => {
    const frame = (header: Record<string, unknown>, body?: Buffer): Buffer => Buffer.from(encodeFrame(header, body));
    assert.equal(isUserActivity(frame({ type: 'data', ch: 1, stream: 'stdin' }, Buffer.from('l'))), true);
    assert.equal(isUserActivity(frame({ type: 'resize', ch: 1, cols: 80, rows: 24 })), true);
    assert.equal(isUserActivity(frame({ type: 'open', ch: 2, kind: 'put', path: 'x/', window: 1024 })), true);
    assert.equal(isUserActivity(frame({ type: 'pong', id: 3 })), false);
    assert.equal(isUserActivity(frame({ type: 'window', ch: 1, bytes: 524288 })), false);
    assert.equal(isUserActivity(Buffer.from([0, 0])), true, 'unreadable counts as use; the session refuses it');
  });
});

describe('the browser frame codec', () => {
  it('encodes what the server decodes, and decodes what the server encodes, at any chunking', () => {
    const body = Buffer.from('hello\x00\xff', 'latin1');
    const mine = Buffer.from(encodeFrame({ type: 'data', ch: 3, stream: 'stdin' }, body));
    const theirs = encodeFrameToBuffer({ type: 'data', ch: 3, stream: 'stdin' }, body);
    assert.ok(mine.equals(theirs));
    const { frames } = new FrameDecoder(DEFAULT_LIMITS).decode(mine);
    assert.deepEqual(frames[0]?.header, { type: 'data', ch: 3, stream: 'stdin', len: body.length });
    const stream = Buffer.concat([theirs, encodeFrameToBuffer({ type: 'ping', id: 1 }), theirs]);
    for (let at = 0; at <= stream.length; at++) {
      const reader = new FrameReader();
      const got = [...reader.push(stream.subarray(0, at)), ...reader.push(stream.subarray(at))];
      assert.deepEqual(
        got.map((f) => f.header.type),
        ['data', 'ping', 'data'],
      );
      assert.ok(Buffer.from(got[2]!.body).equals(body));
    }
  });

  it('refuses a header or body beyond its limits before buffering it', () => {
    const reader = new FrameReader({ maxHeaderBytes: 4096, maxBodyBytes: 1024 });
    assert.throws(() => reader.push(Uint8Array.from([0, 1, 0, 0])), /beyond the limit/);
    const big = encodeFrameToBuffer({ type: 'data', ch: 1, stream: 'stdin' }, Buffer.alloc(2000));
    assert.throws(
      () => new FrameReader({ maxHeaderBytes: 4096, maxBodyBytes: 1024 }).push(big.subarray(0, 60)),
      /beyond the limit/,
    );
    assert.throws(() => new FrameReader().push(Uint8Array.from([0, 0, 0, 2, 0x7b, 0x7d])), /"type"/);
  });
});
