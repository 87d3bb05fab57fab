/**
 * The browser terminal under test: a framesh server with `serve --web`'s WebService, on port 0, and
 * Debian's chromium driven by playwright-core (never a downloaded browser). Everything is closed after
 * the test file.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createServer, type FrameshServer, type ServerOptions } from '../../src/index.js';
import { WebService, type WebOptions } from '../../src/web/web-service.js';
import { tempDir } from '../helpers/temp-dirs.js';

export const CHROMIUM = '/usr/bin/chromium';
/** The login shell's prompt at the end of a line (`$ `, or `# ` for root). */
export const PROMPT = /[$#] ?$/m;

/** `false`, or why the browser tests cannot run here; under CI=true a missing browser fails instead. */
export const browserSkip: false | string =
  existsSync(CHROMIUM) || process.env.CI === 'true'
    ? false
    : `${CHROMIUM} is not installed (apt-get install -y chromium); browser tests skipped`;

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
});

export interface WebSetup {
  readonly server: FrameshServer;
  readonly web: WebService;
  readonly origin: string;
  /** The file root (commands start in root/home). */
  readonly root: string;
  /** A fresh one-time login URL, as `framesh web-login` prints it. */
  loginUrl(): string;
}

export async function startWebServer(
  options: { server?: ServerOptions; web?: Partial<WebOptions> } = {},
): Promise<WebSetup> {
  // One level down in a private directory, so a test can look for what escaped the root ("../x")
  // without meeting a file of the same name in the shared temp directory.
  const root = path.join(tempDir('framesh-web-'), 'root');
  const home = path.join(root, 'home');
  mkdirSync(home, { recursive: true });
  const server = createServer({
    insecure: true,
    killGraceMs: 300,
    root,
    cwd: home,
    // A plain /bin/sh login shell, the same everywhere.
    env: { PS1: '$ ', ENV: '', SHELL: '/bin/sh' },
    ...options.server,
  });
  const web = new WebService(server, { port: 0, ...options.web });
  await server.listen(0, '127.0.0.1');
  const { origin } = await web.listen();
  cleanups.push(() => server.close(200));
  cleanups.push(() => web.close());
  return {
    server,
    web,
    origin,
    root,
    loginUrl: () => web.mintLogin({ fingerprint: 'SHA256:test', comment: 'test key' }).url,
  };
}

/** The /ws URL a page uses for a new stream (PROTOCOL.md §12.3): a fresh random stream id, nothing received. */
export function socketUrl(setup: WebSetup, stream = randomBytes(16).toString('hex'), received = 0): string {
  return `${setup.origin.replace(/^http/, 'ws')}/ws?stream=${stream}&received=${received}`;
}

let browser: Browser | null = null;

/** One chromium for the file (headless, no network of its own: see the flags), a new context per call. */
export async function newContext(
  viewport = { width: 1000, height: 640 },
  options: { ignoreHTTPSErrors?: boolean; permissions?: string[] } = {},
): Promise<BrowserContext> {
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // This machine's network is closed: without these chromium waits on connections it would make.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 30_000,
  });
  if (cleanups.every((fn) => fn !== closeBrowser)) cleanups.unshift(closeBrowser);
  const context = await browser.newContext({ viewport, acceptDownloads: true, ...options });
  context.setDefaultTimeout(15_000);
  return context;
}

async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = null;
}

/** The terminal's text (xterm.js buffer), as the page exposes it. */
export function terminalText(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as { framesh: { text(): string } }).framesh.text());
}

/** Waits until the terminal shows `pattern`. */
export async function waitForText(page: Page, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  await page.waitForFunction(
    ([source, flags]) =>
      new RegExp(source!, flags).test((window as unknown as { framesh?: { text(): string } }).framesh?.text() ?? ''),
    [pattern.source, pattern.flags],
    {
      timeout: timeoutMs,
      polling: 50,
    },
  );
  return terminalText(page);
}

/** Logs in with a fresh URL and waits for the shell's prompt. */
export async function openTerminal(setup: WebSetup, context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  if (process.env.FRAMESH_TEST_DEBUG) page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
  page.on('pageerror', (err) => process.stderr.write(`[page error] ${err.message}\n`));
  await page.goto(setup.loginUrl());
  await waitForText(page, PROMPT);
  return page;
}

/** Types a line into the terminal as keystrokes. */
export async function typeLine(page: Page, line: string): Promise<void> {
  await page.locator('#terminal').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}
