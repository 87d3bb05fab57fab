import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  PROMPT,
  browserSkip,
  newContext,
  openTerminal,
  startWebServer,
  terminalText,
  typeLine,
  waitForText,
} from './web-helpers.js';

describe('browser terminal: login and the shell', { skip: browserSkip }, () => {
  it('a login URL opens the terminal: prompt, echo hello, the token leaves the address bar', async () => {
    const setup = await startWebServer();
    const context = await newContext();
    const violations: string[] = [];
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content.Security.Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(setup.loginUrl());
    await waitForText(page, PROMPT);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(new URL(page.url()).search, '', 'the redirect dropped the token from the URL');
    await typeLine(page, 'echo hello');
    const text = await waitForText(page, /^hello$/m);
    assert.match(text, /echo hello\s*\nhello/);
    await typeLine(page, 'echo "$LANG h\u00e9llo-\u00fc"');
    await waitForText(page, /^C\.UTF-8 h\u00e9llo-\u00fc$/m);
    assert.deepEqual(violations, [], 'the page runs under its CSP without violations');
    const cookies = await context.cookies();
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0]!.httpOnly, true);
    assert.equal(cookies[0]!.sameSite, 'Strict');
    await context.close();
  });

  it('resizing the viewport changes `stty size` on the server', async () => {
    const setup = await startWebServer();
    const context = await newContext({ width: 1000, height: 640 });
    const page = await openTerminal(setup, context);
    await typeLine(page, 'stty size');
    const before = (await waitForText(page, /^\d+ \d+$/m)).match(/^(\d+) (\d+)$/m)!;
    await page.setViewportSize({ width: 600, height: 400 });
    await page.waitForFunction(
      (cols) => (window as unknown as { framesh: { term: { cols: number } } }).framesh.term.cols < cols,
      Number(before[2]),
    );
    await typeLine(page, 'clear; stty size');
    await page.waitForFunction((old) => {
      const m = (window as unknown as { framesh: { text(): string } }).framesh.text().match(/^(\d+) (\d+)$/m);
      return m !== null && m[0] !== old;
    }, before[0]);
    const after = (await terminalText(page)).match(/^(\d+) (\d+)$/m)!;
    assert.ok(Number(after[2]) < Number(before[2]), `columns shrank: ${before[0]} → ${after[0]}`);
    assert.ok(Number(after[1]) < Number(before[1]), `rows shrank: ${before[0]} → ${after[0]}`);
    await context.close();
  });

  it('copy and paste: Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes into the shell', async () => {
    const setup = await startWebServer();
    const context = await newContext(undefined, { permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await openTerminal(setup, context);
    await typeLine(page, 'echo copy-me-42');
    await waitForText(page, /^copy-me-42$/m);
    await page.evaluate(() => {
      const { term, text } = (
        window as unknown as {
          framesh: { term: { select(col: number, row: number, length: number): void }; text(): string };
        }
      ).framesh;
      const row = text().split('\n').indexOf('copy-me-42');
      term.select(0, row, 'copy-me-42'.length);
    });
    await page.keyboard.press('Control+Shift+KeyC');
    await page.waitForFunction(async () => (await navigator.clipboard.readText()) === 'copy-me-42');
    await page.evaluate(() => navigator.clipboard.writeText('echo pasted-$((6*7))'));
    await page.keyboard.press('Control+Shift+KeyV');
    await page.keyboard.press('Enter');
    await waitForText(page, /^pasted-42$/m);
    await context.close();
  });

  it('a session idle past --web-idle ends: its socket closes and the page says it cannot reconnect', async () => {
    // Long enough that a loaded machine still loads the page and shows the prompt inside it (1.5 s was not).
    const setup = await startWebServer({ web: { idleMs: 5000 } });
    const context = await newContext();
    const page = await openTerminal(setup, context);
    const [session] = setup.web.listSessions();
    const ended = new Promise<{ session: string; reason: string }>((resolve) =>
      setup.web.once('sessionEnded', resolve),
    );
    await waitForText(page, /cannot reconnect: the web session ended/, 20_000);
    assert.deepEqual(await ended, { session: session!.id, reason: 'expired' });
    assert.equal(setup.web.listSessions().length, 0);
    assert.equal(await page.evaluate(() => fetch('/session').then((r) => r.status)), 401);
    await context.close();
  });

  it('output larger than the window arrives whole: the page returns credit as xterm.js draws', async () => {
    const setup = await startWebServer();
    const context = await newContext();
    const page = await openTerminal(setup, context);
    // About 2 MB, twice the 1 MiB window the page grants: without credit it would stop half way.
    await typeLine(page, 'seq 1 300000');
    await waitForText(page, /^300000$/m, 30_000);
    await typeLine(page, 'echo after-$((1+1))');
    await waitForText(page, /^after-2$/m);
    await context.close();
  });

  it('the page answers keepalive pings, so a quiet terminal stays connected', async () => {
    const setup = await startWebServer({ server: { keepaliveIntervalMs: 200, keepaliveCountMax: 2 } });
    const context = await newContext();
    const page = await context.newPage();
    const pongs = new Promise<number>((resolve) => {
      let count = 0;
      page.on('websocket', (ws) =>
        ws.on('framesent', ({ payload }) => {
          if (typeof payload !== 'string' && payload.includes('"type":"pong"') && ++count === 4) resolve(count);
        }),
      );
    });
    const disconnects: string[] = [];
    setup.server.on('disconnect', (remote, error) => disconnects.push(`${remote} ${error?.code}`));
    await page.goto(setup.loginUrl());
    await waitForText(page, PROMPT);
    assert.equal(await pongs, 4);
    assert.deepEqual(disconnects, [], 'not closed for silence');
    await typeLine(page, 'echo still-here');
    await waitForText(page, /^still-here$/m);
    await context.close();
  });
});
