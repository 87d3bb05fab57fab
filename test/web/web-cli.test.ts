import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebService } from '../../src/web/web-service.js';
import { runCli, startServeProcess } from '../helpers/cli.js';
import { startSecureServer } from '../helpers/secure.js';

describe('framesh web-login and web-sessions', () => {
  it('mint a URL for the caller’s key, list the session it opens (tied to that key), revoke it', async () => {
    const setup = await startSecureServer();
    // Installed after listen(): the web kind replaces the built-in refusal on the live server too.
    const web = new WebService(setup.server, { port: 0 });
    const { origin } = await web.listen();
    const logins: Array<{ session: string; fingerprint: string | null }> = [];
    web.on('login', (info) => logins.push(info));
    const env = { FRAMESH_HOME: setup.clientHome };
    const target = `127.0.0.1:${setup.port}`;

    const login = await runCli(['web-login', '--accept-new', target], { env });
    assert.equal(login.code, 0, login.stderr);
    const url = login.stdout.trim();
    assert.match(url, new RegExp(`^${origin}/login\\?token=[A-Za-z0-9_-]{43}$`));
    assert.match(login.stderr, /within \d+ s; it works once/);

    const opened = await fetch(url, { redirect: 'manual' });
    assert.equal(opened.status, 303);
    assert.equal(logins.length, 1);
    assert.equal(logins[0]!.fingerprint, setup.clientKey.fingerprint, 'the session is tied to the key that minted it');

    const listed = await runCli(['web-sessions', '--json', target], { env });
    assert.equal(listed.code, 0, listed.stderr);
    const sessions = JSON.parse(listed.stdout) as Array<{ id: string; fingerprint: string; comment: string }>;
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0]!.id, logins[0]!.session);
    assert.equal(sessions[0]!.fingerprint, setup.clientKey.fingerprint);
    assert.equal(sessions[0]!.comment, 'test@framesh');

    const table = await runCli(['web-sessions', target], { env });
    assert.match(table.stdout, /^ID\s+KEY\s+AGE\s+IDLE\s+LEFT\s+SOCKETS$/m);
    assert.ok(table.stdout.includes(`${sessions[0]!.id}  ${setup.clientKey.fingerprint} (test@framesh)`), table.stdout);

    const revoked = await runCli(['web-sessions', '--revoke', sessions[0]!.id, target], { env });
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(web.listSessions().length, 0);
    const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
    assert.equal(
      (await fetch(`${origin}/`, { headers: { Cookie: cookie } })).status,
      401,
      'the revoked cookie no longer works',
    );

    const again = await runCli(['web-sessions', '--revoke', sessions[0]!.id, target], { env });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /WEB_SESSION_UNKNOWN/);
    await web.close();
  });

  it('serve --web prints the page’s address and a first login URL, tied to the host key in the audit log', async () => {
    const serve = await startServeProcess(['--web', '0', '--web-idle', '10m'], {}, { web: true });
    try {
      assert.match(serve.webOrigin!, /^http:\/\/127\.0\.0\.1:\d+$/);
      const url = await new Promise<string>((resolve, reject) => {
        const look = (): boolean => {
          const found = /web login, once within a minute: (\S+)/.exec(serve.stderr());
          if (found) resolve(found[1]!);
          return found !== null;
        };
        if (look()) return;
        const timer = setTimeout(() => reject(new Error(`no login line: ${serve.stderr()}`)), 10_000);
        serve.child.stderr.on('data', () => look() && clearTimeout(timer));
      });
      assert.ok(url.startsWith(`${serve.webOrigin}/login?token=`));
      const answer = await fetch(url, { redirect: 'manual' });
      assert.equal(answer.status, 303);
      const fingerprint = /host key fingerprint (SHA256:\S+)/.exec(serve.stderr())![1];
      const cookie = answer.headers.get('set-cookie')!.split(';')[0]!;
      assert.equal((await fetch(`${serve.webOrigin}/session`, { headers: { Cookie: cookie } })).status, 200);
      await new Promise<void>((resolve) => {
        const look = (): boolean => serve.stderr().includes('"event":"web.login"');
        if (look()) return resolve();
        serve.child.stderr.on('data', () => look() && resolve());
      });
      const line = JSON.parse(
        serve
          .stderr()
          .split('\n')
          .find((l) => l.includes('"event":"web.login"'))!,
      );
      assert.equal(line.fingerprint, fingerprint);
    } finally {
      assert.equal(await serve.stop(), 0);
    }
  });

  it('a server without --web refuses with WEB_DISABLED (exit 1)', async () => {
    const setup = await startSecureServer();
    const r = await runCli(['web-login', '--accept-new', `127.0.0.1:${setup.port}`], {
      env: { FRAMESH_HOME: setup.clientHome },
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /WEB_DISABLED/);
    assert.equal(r.stdout, '');
  });

  it('an unauthorized key gets no URL', async () => {
    const setup = await startSecureServer();
    const web = new WebService(setup.server, { port: 0 });
    await web.listen();
    const { clientHomeWithKey } = await import('../helpers/secure.js');
    const stranger = clientHomeWithKey('stranger');
    const r = await runCli(['web-login', '--accept-new', `127.0.0.1:${setup.port}`], {
      env: { FRAMESH_HOME: stranger.home },
    });
    assert.equal(r.code, 255);
    assert.match(r.stderr, /AUTH_FAILED/);
    assert.equal(r.stdout, '');
    assert.equal(web.tokens.size, 0);
    await web.close();
  });
});
