/**
 * The client configuration file, `$FRAMESH_HOME/config` (or `-F FILE`), in the spirit of ~/.ssh/config:
 *
 *     Host web1
 *       HostName 10.0.0.5
 *       Port 7022
 *     Host *.prod !bastion.prod
 *       ConnectTimeout 5s
 *     Group web web1 web2 web[03:05]
 *
 * `Key value` or `Key=value`, keywords case-insensitive, `#` comments. Settings before the first `Host`
 * apply to every host. For each setting the first value that applies wins (ssh's rule), so specific
 * blocks go first and `Host *` last. `Group NAME HOST...` names a list of hosts (ranges allowed), used as
 * `-H @NAME`; it ends the current Host block.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from './fanout-errors.js';
import { expandHostRange, hostPatternsMatch } from './patterns.js';
import { firstWins, parseSetting, type HostSettings } from './host-settings.js';

interface HostBlock {
  readonly patterns: readonly string[];
  readonly line: number;
  settings: HostSettings;
}

export interface ClientConfig {
  readonly file: string;
  /** The settings that apply to `name`, first match wins per setting. */
  settingsFor(name: string): HostSettings;
  /** Members of a group, ranges expanded; undefined when there is no such group. */
  group(name: string): readonly string[] | undefined;
  readonly groups: ReadonlyMap<string, readonly string[]>;
  /** Settings of each block that applied, in order, with their line: what `framesh config HOST` explains. */
  explain(name: string): Array<{ line: number; patterns: readonly string[] }>;
}

const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export function parseClientConfig(text: string, file: string): ClientConfig {
  if (text.length > MAX_CONFIG_BYTES) throw new ConfigError(file, 0, 'file larger than 4 MiB');
  const blocks: HostBlock[] = [{ patterns: ['*'], line: 0, settings: {} }];
  const groups = new Map<string, string[]>();
  let current: HostBlock = blocks[0] as HostBlock;
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z]+)(?:\s*=\s*|\s+|$)(.*)$/.exec(line);
    if (!match) throw new ConfigError(file, lineNo, `expected "Key value", got "${line}"`);
    const keyword = (match[1] as string).toLowerCase();
    const rest = (match[2] as string).trim();
    const words = rest.split(/\s+/).filter(Boolean);
    if (keyword === 'host') {
      if (words.length === 0) throw new ConfigError(file, lineNo, 'Host needs at least one pattern');
      current = { patterns: words, line: lineNo, settings: {} };
      blocks.push(current);
    } else if (keyword === 'group') {
      const [name, ...members] = words;
      if (!name || !/^[A-Za-z0-9_.-]+$/.test(name))
        throw new ConfigError(file, lineNo, 'Group needs a name of letters, digits, _ . -');
      if (members.length === 0) throw new ConfigError(file, lineNo, `Group ${name} lists no hosts`);
      const expanded: string[] = [];
      for (const member of members) {
        try {
          expanded.push(...expandHostRange(member));
        } catch (err) {
          throw new ConfigError(file, lineNo, (err as Error).message);
        }
      }
      groups.set(name, [...(groups.get(name) ?? []), ...expanded]);
      // Settings after a Group line would be ambiguous: they belong to no Host block.
      current = { patterns: [], line: lineNo, settings: {} };
    } else {
      if (current.patterns.length === 0)
        throw new ConfigError(file, lineNo, `${match[1]} after a Group line belongs to no Host block`);
      if (rest === '') throw new ConfigError(file, lineNo, `${match[1]} needs a value`);
      let setting: HostSettings;
      try {
        setting = parseSetting(match[1] as string, rest);
      } catch (err) {
        throw new ConfigError(file, lineNo, (err as Error).message);
      }
      current.settings = firstWins(current.settings, setting);
    }
  }
  // The settings before any Host line apply to all hosts, but ssh reads them first: keep them first.
  const applying = (name: string): HostBlock[] =>
    blocks.filter((b) => b.patterns.length > 0 && hostPatternsMatch(b.patterns, name));
  return {
    file,
    groups,
    settingsFor: (name) => applying(name).reduce<HostSettings>((acc, b) => firstWins(acc, b.settings), {}),
    group: (name) => groups.get(name),
    explain: (name) =>
      applying(name)
        .filter((b) => Object.keys(b.settings).length > 0)
        .map((b) => ({ line: b.line, patterns: b.patterns })),
  };
}

/** Reads the file; a missing file is an empty configuration (as ssh treats a missing ~/.ssh/config). */
export function loadClientConfig(file: string, required = false): ClientConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !required) return parseClientConfig('', file);
    throw new ConfigError(file, 0, `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseClientConfig(text, file);
}
