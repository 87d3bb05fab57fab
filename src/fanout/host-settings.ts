/**
 * Per-host settings for many hosts: the connection settings of `-o Key=Value` (src/cli/settings.ts, the
 * one table of names and parsers) plus `Insecure`, which only a config file or inventory may set for a
 * host (on the command line it is the `--insecure` flag). A config file, an inventory and `-o` therefore
 * accept the same names and values.
 */
import { findSetting, SETTINGS, type ConnectionSettings } from '../cli/settings.js';

export interface HostSettings extends ConnectionSettings {
  readonly insecure?: boolean;
}

/** The setting names, as users write them. */
export const SETTING_NAMES = [...SETTINGS.map((s) => s.name), 'Insecure'] as const;

/** Parses one `Key value`; throws an Error whose message says what is wrong (the caller adds where). */
export function parseSetting(name: string, value: string): HostSettings {
  if (value.trim() === '') throw new Error(`${name} needs a value`);
  if (name.toLowerCase() === 'insecure') {
    const v = value.trim().toLowerCase();
    if (v !== 'yes' && v !== 'no') throw new Error(`Insecure is yes or no, got "${value}"`);
    return { insecure: v === 'yes' };
  }
  const setting = findSetting(name);
  if (!setting) throw new Error(`unknown setting "${name}" (known: ${SETTING_NAMES.join(', ')})`);
  return setting.parse(value);
}

/** Fills in what `base` lacks from `more`: the first value found for a setting wins, as in ssh_config. */
export function firstWins(base: HostSettings, more: HostSettings): HostSettings {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(more)) if (out[key] === undefined) out[key] = value;
  return out as HostSettings;
}

/** StrictHostKeyChecking as the library's acceptNew. */
export function acceptsNew(settings: HostSettings): boolean | undefined {
  const s = settings.strictHostKeyChecking;
  return s === undefined ? undefined : s === 'accept-new' || s === 'no';
}
