import { promises as fs } from 'node:fs';
import path from 'node:path';
import { toFileStat } from './answer-channel.js';
import { FileError } from './file-errors.js';
import type { FileRoot } from './file-root.js';
import type { FileStat } from '../../protocol/messages.js';

/** Most matches one glob may return (the listing must also fit one frame body). */
export const MAX_GLOB_MATCHES = 10_000;
/** Most directory entries one glob may look at, so a pattern of many `*` levels costs bounded time. */
const MAX_GLOB_VISITS = 200_000;

/** Whether a path component holds a glob character (`*`, `?`, `[`). */
export function hasGlob(text: string): boolean {
  return /[*?[]/.test(text);
}

/**
 * One component of a shell pattern as a regular expression: `*` any run, `?` one character, `[...]`
 * a class (`[!...]` or `[^...]` negated); everything else literal. A leading `.` must be matched
 * literally, as in the shell, so `*` does not pick up dotfiles.
 */
export function componentRegExp(component: string): RegExp {
  let out = '';
  for (let i = 0; i < component.length; i++) {
    const c = component[i] as string;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = component.indexOf(']', i + 2);
      if (close < 0) {
        out += '\\[';
        continue;
      }
      let body = component.slice(i + 1, close);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      out += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const dotGuard = component.startsWith('.') ? '' : '(?!\\.)';
  return new RegExp(`^${dotGuard}${out}$`, 's');
}

export interface GlobMatch extends FileStat {
  /** The match in the pattern's own terms (`logs/app.log` for `logs/*.log`). */
  readonly path: string;
}

/**
 * Expands a shell pattern under the root, component by component: literal components are taken as
 * written, glob components match the entries of each directory reached. Every directory entered is
 * checked to resolve inside the root (a link that leads out is skipped, never listed).
 */
export async function expandGlob(root: FileRoot, pattern: string): Promise<GlobMatch[]> {
  const components = pattern.split('/');
  const firstGlob = components.findIndex(hasGlob);
  // The literal part before the first glob is resolved as any path is (`~`, absolute, checked lexically).
  const base = firstGlob <= 0 ? (pattern.startsWith('/') ? '/' : '.') : components.slice(0, firstGlob).join('/') || '/';
  const rest = (firstGlob < 0 ? [] : components.slice(Math.max(firstGlob, 0))).filter((c) => c !== '' && c !== '.');
  const shownBase = base === '.' ? '' : base;
  let frontier: Array<{ shown: string; lexical: string }> = [
    { shown: shownBase, lexical: root.lexical(base === '' ? '.' : base) },
  ];
  if (firstGlob < 0) frontier = [{ shown: pattern, lexical: root.lexical(pattern) }];
  let visits = 0;
  for (const [index, component] of rest.entries()) {
    const last = index === rest.length - 1;
    const next: typeof frontier = [];
    for (const dir of frontier) {
      let names: string[];
      if (!hasGlob(component)) names = [component];
      else {
        const real = await root.realDirectory(dir.lexical, pattern).catch(() => null);
        if (!real) continue;
        const matcher = componentRegExp(component);
        names = (await fs.readdir(real).catch(() => [])).filter((name) => matcher.test(name)).sort();
        visits += names.length;
        if (visits > MAX_GLOB_VISITS) throw new FileError('LIMIT', `pattern looks at too many entries: ${pattern}`);
      }
      for (const name of names) {
        if (name === '..') continue;
        const lexical = path.join(dir.lexical, name);
        if (!root.contains(lexical)) continue;
        if (!last && !(await isDirectoryInside(root, lexical))) continue;
        next.push({ shown: dir.shown === '' ? name : path.posix.join(dir.shown, name), lexical });
      }
    }
    frontier = next;
    if (frontier.length > MAX_GLOB_MATCHES)
      throw new FileError('LIMIT', `pattern matches more than ${MAX_GLOB_MATCHES} paths: ${pattern}`);
  }
  const matches: GlobMatch[] = [];
  for (const found of frontier) {
    // A match reached through a link that leads out of the root is not listed.
    const real = await fs.realpath(found.lexical).catch(() => null);
    if (!real || !root.contains(real)) continue;
    const stats = await fs.lstat(found.lexical).catch(() => null);
    if (stats) matches.push({ path: found.shown, ...toFileStat(stats) });
  }
  return matches;
}

async function isDirectoryInside(root: FileRoot, lexical: string): Promise<boolean> {
  const real = await fs.realpath(lexical).catch(() => null);
  return real !== null && root.contains(real) && ((await fs.stat(real).catch(() => null))?.isDirectory() ?? false);
}
