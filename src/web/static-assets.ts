import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file the page loads, and the type it is served as. */
export interface StaticAsset {
  readonly file: string;
  readonly contentType: string;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/**
 * The page's files, by URL path: xterm.js and its fit addon from their installed packages (never a
 * CDN), and framesh's own browser modules from web/static in this package. A fixed table, so no
 * request path ever reaches the file system.
 */
export function staticAssets(): ReadonlyMap<string, StaticAsset> {
  const require = createRequire(import.meta.url);
  const xtermDir = path.dirname(require.resolve('@xterm/xterm/package.json'));
  const fitDir = path.dirname(require.resolve('@xterm/addon-fit/package.json'));
  // src/web or dist/web → the package root's web/static.
  const own = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/static');
  const assets = new Map<string, StaticAsset>([
    ['/assets/xterm.mjs', { file: path.join(xtermDir, 'lib/xterm.mjs'), contentType: JS }],
    ['/assets/xterm.css', { file: path.join(xtermDir, 'css/xterm.css'), contentType: CSS }],
    ['/assets/addon-fit.mjs', { file: path.join(fitDir, 'lib/addon-fit.mjs'), contentType: JS }],
    ['/static/page.css', { file: path.join(own, 'page.css'), contentType: CSS }],
  ]);
  for (const name of BROWSER_MODULES) assets.set(`/static/${name}`, { file: path.join(own, name), contentType: JS });
  return assets;
}

/** framesh's own browser modules (web/static): plain ES modules, no bundler. */
export const BROWSER_MODULES = [
  'frame-codec.js',
  'resumable-transport.js',
  'framesh-socket.js',
  'shell-channel.js',
  'put-channel.js',
  'terminal-page.js',
] as const;
