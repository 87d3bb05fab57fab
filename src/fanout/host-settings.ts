/**
 * The per-host settings a configuration file, an inventory or `-o Key=Value` may give, by their
 * ssh_config names (case-insensitive, as ssh reads them), each with its parser. One table, so the
 * config file, inventories and the command line accept the same names and values.
 */
import os from 'node:os';
import path from 'node:path';
import { parseDurationMs } from '../cli/duration.js';

export interface HostSettings {
  /** The address to connect to (default: the host's own name). */
  hostName?: string;
  port?: number;
  identityFile?: string;
  fingerprint?: string;
  connectTimeoutMs?: number;
  /** StrictHostKeyChecking: `accept-new` trusts a server not yet known; `yes` (default) asks or refuses. */
  acceptNew?: boolean;
  insecure?: boolean;
}

type Parser = (value: string) => HostSettings;

function yesNo(value: string): boolean {
  const v = value.toLowerCase();
  if (v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  throw new Error(`expected yes or no, got "${value}"`);
}

/** `~` and `~/…` are the local home directory, as ssh reads IdentityFile. */
export function expandTilde(file: string): string {
  if (file === '~') return os.homedir();
  if (file.startsWith('~/')) return path.join(os.homedir(), file.slice(2));
  return file;
}

const SETTINGS: Readonly<Record<string, Parser>> = {
  hostname: (v) => ({ hostName: v }),
  port: (v) => {
    const port = Number(v);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port "${v}"`);
    return { port };
  },
  identityfile: (v) => ({ identityFile: expandTilde(v) }),
  fingerprint: (v) => {
    if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(v)) throw new Error(`expected SHA256:<43 base64 characters>, got "${v}"`);
    return { fingerprint: v };
  },
  connecttimeout: (v) => ({ connectTimeoutMs: parseDurationMs(v, 'refused') }),
  stricthostkeychecking: (v) => {
    const lower = v.toLowerCase();
    if (lower === 'accept-new') return { acceptNew: true };
    if (lower === 'yes' || lower === 'ask') return { acceptNew: false };
    throw new Error(`expected accept-new or yes, got "${v}" (framesh never connects to an unverified key)`);
  },
  insecure: (v) => ({ insecure: yesNo(v) }),
};

/** The setting names, as users write them, for help texts and completion. */
export const SETTING_NAMES = ['HostName', 'Port', 'IdentityFile', 'Fingerprint', 'ConnectTimeout', 'StrictHostKeyChecking', 'Insecure'] as const;

export function isSettingName(name: string): boolean {
  return Object.hasOwn(SETTINGS, name.toLowerCase());
}

/** Parses one `Key value`; throws an Error whose message says what is wrong (the caller adds where). */
export function parseSetting(name: string, value: string): HostSettings {
  const parser = SETTINGS[name.toLowerCase()];
  if (!parser || !Object.hasOwn(SETTINGS, name.toLowerCase())) throw new Error(`unknown setting "${name}" (known: ${SETTING_NAMES.join(', ')})`);
  if (value === '') throw new Error(`${name} needs a value`);
  return parser(value);
}

/** Fills in what `base` lacks from `more`: the first value found for a setting wins, as in ssh_config. */
export function firstWins(base: HostSettings, more: HostSettings): HostSettings {
  const out: HostSettings = { ...base };
  for (const [key, value] of Object.entries(more) as Array<[keyof HostSettings, never]>) {
    if (out[key] === undefined) out[key] = value;
  }
  return out;
}
