/**
 * Which hosts a fan-out runs on, and with what settings: `-H web1,web2,web[03:05]`, `-H @group` (a
 * config Group or an inventory group), `--hosts FILE` (every host of an inventory unless -H picks some),
 * narrowed by `--limit PATTERN` (Ansible's pattern syntax: `a:b` or `a,b` union, `!x` exclude, `&x`
 * intersect, globs and group names). Settings: the command line first, then inventory variables, then
 * the config file (first value wins).
 */
import { InventoryError } from './fanout-errors.js';
import { expandHostRange, globMatch } from './patterns.js';
import { firstWins, parseSetting, type HostSettings } from './host-settings.js';
import type { ClientConfig } from './client-config.js';
import type { Inventory } from './inventory.js';

/** One host to run on: its name as the user wrote it, where to connect, and how. */
export interface FanoutTarget {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly settings: HostSettings;
  /** Inventory variables that are not connection settings. */
  readonly labels: Readonly<Record<string, string>>;
}

export interface SelectionInput {
  readonly hostList?: readonly string[];
  readonly inventory?: Inventory;
  readonly config?: ClientConfig;
  readonly limit?: string;
  /** Settings from the command line (-p, -i, --fingerprint, -o …): they win over everything. */
  readonly overrides?: HostSettings;
  readonly defaultPort: number;
}

const INVENTORY_SETTINGS: Readonly<Record<string, string>> = {
  ansible_host: 'HostName',
  host: 'HostName',
  ansible_port: 'Port',
  port: 'Port',
  ansible_framesh_identity_file: 'IdentityFile',
  identity: 'IdentityFile',
  ansible_framesh_fingerprint: 'Fingerprint',
  fingerprint: 'Fingerprint',
  ansible_framesh_connect_timeout: 'ConnectTimeout',
};

function groupMembers(name: string, input: SelectionInput): readonly string[] | undefined {
  return input.inventory?.groups.get(name) ?? input.config?.group(name);
}

function expandItem(item: string, input: SelectionInput): string[] {
  if (item.startsWith('@')) {
    const members = groupMembers(item.slice(1), input);
    if (!members) throw new InventoryError(`no group "${item.slice(1)}" in the config file or the inventory`);
    return [...members];
  }
  return expandHostRange(item);
}

/** Ansible `--limit`: the hosts of `names` that the pattern keeps. */
export function applyLimit(names: readonly string[], pattern: string, input: SelectionInput): string[] {
  const matches = (term: string): Set<string> => {
    const group = groupMembers(term, input);
    if (group) return new Set(group);
    return new Set(names.filter((n) => globMatch(term, n)));
  };
  const terms = pattern
    .split(/[:,]/)
    .map((t) => t.trim())
    .filter(Boolean);
  let kept = new Set<string>();
  const positives = terms.filter((t) => !t.startsWith('!') && !t.startsWith('&'));
  if (positives.length === 0) kept = new Set(names);
  for (const t of positives) for (const n of matches(t)) kept.add(n);
  for (const t of terms.filter((x) => x.startsWith('&'))) {
    const other = matches(t.slice(1));
    kept = new Set([...kept].filter((n) => other.has(n)));
  }
  for (const t of terms.filter((x) => x.startsWith('!'))) for (const n of matches(t.slice(1))) kept.delete(n);
  return names.filter((n) => kept.has(n));
}

function inventorySettings(
  name: string,
  input: SelectionInput,
): { settings: HostSettings; labels: Record<string, string> } {
  const vars = input.inventory?.hosts.get(name)?.vars ?? {};
  let settings: HostSettings = {};
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(vars)) {
    const setting = INVENTORY_SETTINGS[key];
    if (setting === undefined) {
      labels[key] = value;
      continue;
    }
    try {
      settings = firstWins(settings, parseSetting(setting, value));
    } catch (err) {
      throw new InventoryError(`host ${name}: ${key}: ${(err as Error).message}`);
    }
  }
  return { settings, labels };
}

/** `name` or `name:port` as written in -H (a bare IPv6 address stays whole). */
function splitPort(item: string): { name: string; port?: number } {
  const m = /^(.*[^:]):(\d+)$/.exec(item);
  if (!m || (m[1] as string).includes(':')) return { name: item };
  return { name: m[1] as string, port: Number(m[2]) };
}

export function selectHosts(input: SelectionInput): FanoutTarget[] {
  let names: string[];
  if (input.hostList && input.hostList.length > 0) {
    names = input.hostList
      .flatMap((h) => h.split(','))
      .map((h) => h.trim())
      .filter(Boolean)
      .flatMap((i) => expandItem(i, input));
  } else if (input.inventory) {
    names = [...(input.inventory.groups.get('all') ?? [])];
  } else {
    throw new InventoryError('no hosts: give -H HOSTS or --hosts FILE');
  }
  if (input.limit !== undefined) names = applyLimit(names, input.limit, input);
  const seen = new Set<string>();
  const targets: FanoutTarget[] = [];
  for (const written of names) {
    if (seen.has(written)) continue; // a host named twice runs once, as pssh and Ansible do
    seen.add(written);
    const { name, port } = splitPort(written);
    const fromInventory = inventorySettings(name, input);
    const settings = [
      input.overrides ?? {},
      port === undefined ? {} : { port },
      fromInventory.settings,
      input.config?.settingsFor(name) ?? {},
    ].reduce(firstWins, {});
    targets.push({
      name: written,
      host: settings.hostName ?? name,
      port: settings.port ?? input.defaultPort,
      settings,
      labels: fromInventory.labels,
    });
  }
  if (targets.length === 0) throw new InventoryError('the selection matched no hosts');
  return targets;
}
