import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
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
import { tempDir } from '../helpers/temp-dirs.js';

// README's picture of the browser terminal is made by this test when FRAMESH_UPDATE_SCREENSHOT=1; otherwise
// the picture goes to a temporary directory, so that a test run leaves the working tree as it found it.
const SCREENSHOT =
  process.env.FRAMESH_UPDATE_SCREENSHOT === '1'
    ? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/images/web-terminal.png')
    : path.join(tempDir('framesh-screenshot-'), 'web-terminal.png');
const TEN_MIB = 10 * 1024 * 1024;

/** The same pseudo-random bytes in Node and in the page (xorshift32), so 10 MiB need not cross the bridge. */
function patternBytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

interface UploadRecord {
  name: string;
  state: string;
  code?: string;
  path?: string;
}

/** Drops files made in the page (name, size, seed) on the terminal, as a drag from the desktop would. */
async function dropFiles(
  page: Page,
  files: Array<{ name: string; size: number; seed: number }>,
): Promise<UploadRecord[]> {
  const dataTransfer = await page.evaluateHandle((specs) => {
    const transfer = new DataTransfer();
    for (const { name, size, seed } of specs) {
      const bytes = new Uint8Array(size);
      let x = seed >>> 0;
      for (let i = 0; i < size; i++) {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        bytes[i] = x & 0xff;
      }
      transfer.items.add(new File([bytes], name));
    }
    return transfer;
  }, files);
  await page.dispatchEvent('#terminal', 'drop', { dataTransfer });
  await page.waitForFunction(
    (count) => {
      const uploads = (window as unknown as { framesh: { uploads?: UploadRecord[] } }).framesh.uploads ?? [];
      return uploads.length >= count && uploads.every((u) => u.state !== 'sending');
    },
    files.length,
    { timeout: 30_000 },
  );
  return page.evaluate(() => (window as unknown as { framesh: { uploads: UploadRecord[] } }).framesh.uploads);
}

describe('browser terminal: files', { skip: browserSkip }, () => {
  it('a 10 MiB file dropped on the terminal arrives byte-exact in the shell’s directory; "../x" does not escape', async () => {
    const setup = await startWebServer();
    const context = await newContext();
    const page = await openTerminal(setup, context);
    mkdirSync(path.join(setup.root, 'home/inbox'));
    await typeLine(page, 'cd inbox && pwd');
    await waitForText(page, /\/home\/inbox$/m);
    const [big] = await dropFiles(page, [{ name: 'big.bin', size: TEN_MIB, seed: 7 }]);
    assert.equal(big!.state, 'done', JSON.stringify(big));
    assert.equal(await page.locator('#upload-progress').evaluate((el) => (el as HTMLProgressElement).value), 1);
    assert.match(await page.locator('#upload-label').innerText(), /big\.bin: stored as .*inbox\/big\.bin/);
    const stored = readFileSync(path.join(setup.root, 'home/inbox/big.bin'));
    assert.equal(stored.length, TEN_MIB);
    assert.equal(
      createHash('sha256').update(stored).digest('hex'),
      createHash('sha256').update(patternBytes(TEN_MIB, 7)).digest('hex'),
    );
    const uploads = await dropFiles(page, [{ name: '../x', size: 1000, seed: 9 }]);
    assert.equal(uploads[1]!.name, '../x');
    assert.equal(uploads[1]!.state, 'failed');
    assert.equal(uploads[1]!.code, 'PATH_ESCAPE');
    for (const where of ['home/x', 'x', '../x']) assert.equal(existsSync(path.join(setup.root, where)), false, where);
    await context.close();
  });

  it('the download link serves a file byte-exact; a path outside the root is refused', async () => {
    const setup = await startWebServer();
    const content = randomBytes(3 * 1024 * 1024 + 17);
    writeFileSync(path.join(setup.root, 'home/report.bin'), content);
    const context = await newContext();
    const page = await openTerminal(setup, context);
    await page.locator('#download-path').fill('report.bin');
    // Relative to the shell's directory, which the page asks the server for when the field is focused.
    await page.waitForFunction(() =>
      (document.getElementById('download-link') as HTMLAnchorElement).href.includes(
        encodeURIComponent('/home/report.bin'),
      ),
    );
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-link').click()]);
    assert.equal(download.suggestedFilename(), 'report.bin');
    const saved = readFileSync((await download.path())!);
    assert.ok(saved.equals(content), 'byte-exact');
    const outside = await page.evaluate(async () => {
      const answer = await fetch('/download?path=' + encodeURIComponent('/etc/passwd'));
      return { status: answer.status, text: await answer.text() };
    });
    assert.equal(outside.status, 403);
    assert.match(outside.text, /escapes/);
    const unauthenticated = await fetch(`${setup.origin}/download?path=home/report.bin`);
    assert.equal(unauthenticated.status, 401);
    await context.close();
  });

  it('after a short drop the page resumes the same shell, with the output written meanwhile; after revocation it says it cannot', async () => {
    const setup = await startWebServer();
    const context = await newContext();
    const page = await openTerminal(setup, context);
    await typeLine(page, 'X=kept; echo pid-$$');
    const pid = (await waitForText(page, /^pid-\d+$/m)).match(/^pid-(\d+)$/m)![1];
    // Output produced while the socket is down is kept by the server and arrives after the resume.
    await typeLine(page, 'sleep 0.3; seq 1 20000 | tail -n 1; echo late-$X');
    setup.web.dropSockets();
    await waitForText(page, /^late-kept$/m);
    assert.match(await terminalText(page), /^20000$/m);
    assert.ok(
      (await page.evaluate(() => (window as unknown as { framesh: { resumes?: number } }).framesh.resumes ?? 0)) >= 1,
    );
    await typeLine(page, 'echo same-$$');
    await waitForText(page, new RegExp(`^same-${pid}$`, 'm'));
    assert.doesNotMatch(await terminalText(page), /new shell/);
    const [session] = setup.web.listSessions();
    assert.equal(session!.sockets, 1);
    assert.equal(setup.web.revokeSession(session!.id), true);
    await waitForText(page, /cannot reconnect: the web session ended/);
    assert.equal(
      await page.evaluate(() => (window as unknown as { framesh: { state: string } }).framesh.state),
      'logged-out',
    );
    await context.close();
  });

  it('a drop longer than the resume grace ends the old shell; the page says so and starts a new one', async () => {
    const setup = await startWebServer({ web: { resumeGraceMs: 1 } });
    const ended = new Promise((resolve) => setup.server.once('terminalEnd', resolve));
    const context = await newContext();
    const page = await openTerminal(setup, context);
    await typeLine(page, 'echo pid-$$');
    const pid = (await waitForText(page, /^pid-\d+$/m)).match(/^pid-(\d+)$/m)![1];
    setup.web.dropSockets();
    await ended;
    await waitForText(page, /down too long and its shell ended; this is a new shell/);
    await waitForText(page, PROMPT);
    await typeLine(page, 'echo pid-$$');
    await page.waitForFunction(
      (old) =>
        [...(window as unknown as { framesh: { text(): string } }).framesh.text().matchAll(/^pid-(\d+)$/gm)].some(
          (m) => m[1] !== old,
        ),
      pid,
    );
    await context.close();
  });

  it('two tabs each have their own terminal', async () => {
    const setup = await startWebServer();
    const context = await newContext();
    const first = await openTerminal(setup, context);
    const second = await context.newPage();
    await second.goto(setup.origin + '/');
    await waitForText(second, /[$#] ?$/m);
    await typeLine(first, 'echo one-$$');
    await typeLine(second, 'echo two-$$');
    const one = (await waitForText(first, /^one-\d+$/m)).match(/^one-(\d+)$/m)![1];
    const two = (await waitForText(second, /^two-\d+$/m)).match(/^two-(\d+)$/m)![1];
    assert.notEqual(one, two, 'two shells');
    assert.doesNotMatch(
      await first.evaluate(() => (window as unknown as { framesh: { text(): string } }).framesh.text()),
      /two-/,
    );
    await context.close();
  });

  it('writes the README screenshot', async () => {
    const setup = await startWebServer();
    writeFileSync(path.join(setup.root, 'home/notes.txt'), 'framesh in a browser\n');
    const context = await newContext({ width: 900, height: 420 });
    const page = await openTerminal(setup, context);
    await typeLine(page, 'echo hello; ls -l notes.txt; stty size');
    await waitForText(page, /^\d+ \d+$/m);
    await page.locator('#download-path').fill('notes.txt');
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    const png = readFileSync(SCREENSHOT);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.ok(png.length > 5000, 'a real picture');
    await context.close();
  });
});
