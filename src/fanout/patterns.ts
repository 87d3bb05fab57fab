/**
 * The two small pattern languages users bring from ssh and Ansible: ssh_config host patterns (`*`, `?`,
 * `!negation`, several per line) and Ansible host ranges (`web[01:20]`, `db-[a:c]`). Pure.
 */
import { InventoryError } from './fanout-errors.js';

/** True when `name` matches the glob `pattern` (`*` any run, `?` one character, nothing else special). */
export function globMatch(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let starP = -1;
  let starN = 0;
  while (n < name.length) {
    const c = pattern[p];
    if (c === '?' || (c !== undefined && c !== '*' && c === name[n])) {
      p += 1;
      n += 1;
    } else if (c === '*') {
      starP = p;
      starN = n;
      p += 1;
    } else if (starP >= 0) {
      p = starP + 1;
      starN += 1;
      n = starN;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p += 1;
  return p === pattern.length;
}

/**
 * ssh_config's rule for a `Host` line with several patterns: the line matches when some positive
 * pattern matches and no negated (`!`) one does.
 */
export function hostPatternsMatch(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (globMatch(pattern.slice(1), name)) return false;
    } else if (globMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

const MAX_RANGE_HOSTS = 100_000;

/**
 * Expands Ansible host ranges: `web[01:03]` → web01 web02 web03 (leading zeros keep the width),
 * `db[a:c]` → dba dbb dbc, `[1:10:2]` steps; several ranges multiply. A name without `[` is itself.
 */
export function expandHostRange(text: string): string[] {
  const open = text.indexOf('[');
  if (open < 0) return [text];
  const close = text.indexOf(']', open);
  if (close < 0) throw new InventoryError(`unclosed range in "${text}"`);
  const [from = '', to = '', stepText] = text.slice(open + 1, close).split(':');
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1) throw new InventoryError(`bad step in "${text}"`);
  const values: string[] = [];
  if (/^\d+$/.test(from) && /^\d+$/.test(to)) {
    const width = from.length > 1 && from.startsWith('0') ? from.length : 0;
    const first = Number(from);
    const last = Number(to);
    if (last < first) throw new InventoryError(`range ends before it starts in "${text}"`);
    if ((last - first) / step > MAX_RANGE_HOSTS) throw new InventoryError(`range too large in "${text}"`);
    for (let i = first; i <= last; i += step) values.push(String(i).padStart(width, '0'));
  } else if (/^[a-z]$/i.test(from) && /^[a-z]$/i.test(to) && from <= to) {
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c += step) values.push(String.fromCharCode(c));
  } else {
    throw new InventoryError(`bad range "[${text.slice(open + 1, close)}]" in "${text}"`);
  }
  const rest = expandHostRange(text.slice(close + 1));
  const out: string[] = [];
  for (const v of values) for (const r of rest) out.push(`${text.slice(0, open)}${v}${r}`);
  if (out.length > MAX_RANGE_HOSTS) throw new InventoryError(`range too large in "${text}"`);
  return out;
}
