import os from 'node:os';
import { InvalidArgumentError } from './commander.js';
import { parseDurationMs } from './duration.js';

/**
 * Connection settings by name, as ssh_config(5) names its keywords. `-o Key=Value` sets them on the
 * command line; a config file (fanout's) reads the same names through this one table, so a setting
 * means the same wherever it is written. Names are case-insensitive, as in ssh.
 */
export interface ConnectionSettings {
  /** The address to connect to, when HOST is an alias. */
  readonly hostName?: string;
  readonly port?: number;
  readonly connectTimeoutMs?: number;
  readonly identityFile?: string;
  readonly fingerprint?: string;
  readonly strictHostKeyChecking?: StrictHostKeyChecking;
}

/**
 * What to do with a server key not yet in known_hosts. `ask` (the default) asks on a terminal and
 * refuses without one; `yes` always refuses; `accept-new` (and `no`, its ssh synonym here) trusts and
 * remembers it. A key that differs from the remembered one is refused whatever this says.
 */
export type StrictHostKeyChecking = 'ask' | 'yes' | 'accept-new' | 'no';

export interface SettingDefinition {
  /** The name as documented (`ConnectTimeout`); matched case-insensitively. */
  readonly name: string;
  readonly value: string;
  readonly description: string;
  /** Parses a value, throwing InvalidArgumentError with a clear message when it is bad. */
  parse(text: string): Partial<ConnectionSettings>;
}

const STRICT_VALUES: readonly StrictHostKeyChecking[] = ['ask', 'yes', 'accept-new', 'no'];

/** Every setting framesh knows; the order is the order of the help table. */
export const SETTINGS: readonly SettingDefinition[] = [
  {
    name: 'HostName',
    value: 'ADDRESS',
    description: 'the address to connect to (HOST is then only a name)',
    parse: (text) => ({ hostName: requireText(text, 'HostName') }),
  },
  {
    name: 'Port',
    value: 'PORT',
    description: 'port when HOST gives none (default 7022)',
    parse: (text) => ({ port: parsePortNumber(text) }),
  },
  {
    name: 'ConnectTimeout',
    value: 'DURATION',
    description: 'time allowed to connect, verify and authenticate (10s, 500ms; bare number: seconds)',
    parse: (text) => ({ connectTimeoutMs: parseDurationMs(text, 'refused') }),
  },
  {
    name: 'IdentityFile',
    value: 'FILE',
    description: 'private key to authenticate with (~/ is the home directory)',
    parse: (text) => ({ identityFile: expandHome(requireText(text, 'IdentityFile')) }),
  },
  {
    name: 'Fingerprint',
    value: 'SHA256:...',
    description: 'require exactly this server key fingerprint',
    parse: (text) => ({ fingerprint: requireText(text, 'Fingerprint') }),
  },
  {
    name: 'StrictHostKeyChecking',
    value: STRICT_VALUES.join('|'),
    description: 'a server not in known_hosts: ask on a terminal, refuse (yes), or trust and remember (accept-new, no)',
    parse: (text) => {
      const value = text.trim().toLowerCase() as StrictHostKeyChecking;
      if (!STRICT_VALUES.includes(value)) {
        throw new InvalidArgumentError(`StrictHostKeyChecking is one of ${STRICT_VALUES.join(', ')}, got "${text}"`);
      }
      return { strictHostKeyChecking: value };
    },
  },
];

/** The definition of a setting name, or undefined. */
export function findSetting(name: string): SettingDefinition | undefined {
  const lower = name.toLowerCase();
  return SETTINGS.find((setting) => setting.name.toLowerCase() === lower);
}

/** Parses `Key=Value` (or `Key Value`, as ssh also accepts) into the settings it sets. */
export function parseSettingAssignment(text: string): Partial<ConnectionSettings> {
  const match = /^\s*([A-Za-z]+)\s*(?:=|\s)\s*(.*?)\s*$/.exec(text);
  if (!match) throw new InvalidArgumentError(`expected Key=Value, got "${text}"`);
  const setting = findSetting(match[1] as string);
  if (!setting) {
    throw new InvalidArgumentError(`unknown setting "${match[1]}"; known: ${SETTINGS.map((s) => s.name).join(', ')}`);
  }
  return setting.parse(match[2] as string);
}

/**
 * Commander parser for a repeatable `-o Key=Value`. As in ssh, the first value given for a setting
 * is the one used.
 */
export function collectSetting(text: string, previous: ConnectionSettings = {}): ConnectionSettings {
  const next = parseSettingAssignment(text);
  const merged: Record<string, unknown> = { ...next, ...previous };
  return merged as ConnectionSettings;
}

/** The table of settings for --help. */
export function settingsHelp(): string {
  const rows = SETTINGS.map((s) => `  ${`${s.name}=${s.value}`.padEnd(44)} ${s.description}`);
  return `\nSettings for -o Key=Value (names as in ssh_config; the first value given wins; flags beat -o):\n${rows.join('\n')}\n`;
}

function requireText(text: string, name: string): string {
  const value = text.trim();
  if (value.length === 0) throw new InvalidArgumentError(`${name} needs a value`);
  return value;
}

/** A TCP port 1-65535. */
export function parsePortNumber(text: string): number {
  const port = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new InvalidArgumentError(`expected a port 1-65535, got "${text}"`);
  return port;
}

function expandHome(file: string): string {
  return file === '~' || file.startsWith('~/') ? `${os.homedir()}${file.slice(1)}` : file;
}
