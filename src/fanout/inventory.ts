/**
 * Inventories for `--hosts FILE`, in the formats users already keep their fleet in:
 *  - one host per line: `name [key=value ...]` (`#` comments);
 *  - Ansible INI: `[group]`, `[group:children]`, `[group:vars]`, host ranges (`web[01:20]`);
 *  - Ansible YAML: `all: {hosts, children, vars}` nested to any depth (parsed by the `yaml` package).
 * Host variables understood: `ansible_host`/`host`, `ansible_port`/`port`, `ansible_framesh_identity_file`
 * /`identity`, `ansible_framesh_fingerprint`/`fingerprint`, `ansible_framesh_connect_timeout`; every
 * other variable is kept as a label. Group variables apply to the group's hosts; a host's own win.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { InventoryError } from './fanout-errors.js';
import { expandHostRange } from './patterns.js';

export interface InventoryHost {
  readonly name: string;
  /** Its own variables, then its groups' (nearest group first); the first value wins. */
  readonly vars: Readonly<Record<string, string>>;
  readonly groups: ReadonlySet<string>;
}

export interface Inventory {
  readonly hosts: ReadonlyMap<string, InventoryHost>;
  /** Group name → host names, children included; `all` holds every host. */
  readonly groups: ReadonlyMap<string, readonly string[]>;
}

interface GroupDraft {
  hosts: string[];
  children: string[];
  vars: Record<string, string>;
}

const MAX_INVENTORY_BYTES = 16 * 1024 * 1024;

class Draft {
  readonly hostVars = new Map<string, Record<string, string>>();
  readonly groups = new Map<string, GroupDraft>();

  group(name: string): GroupDraft {
    let g = this.groups.get(name);
    if (!g) {
      if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new InventoryError(`bad group name "${name}"`);
      g = { hosts: [], children: [], vars: {} };
      this.groups.set(name, g);
    }
    return g;
  }

  addHost(pattern: string, vars: Record<string, string>, group: string): void {
    for (const name of expandHostRange(pattern)) {
      if (!/^[A-Za-z0-9_.:[\]-]+$/.test(name)) throw new InventoryError(`bad host name "${name}"`);
      this.hostVars.set(name, { ...vars, ...this.hostVars.get(name) });
      this.group(group).hosts.push(name);
    }
  }

  finish(): Inventory {
    const members = (name: string, seen: Set<string>): string[] => {
      if (seen.has(name)) throw new InventoryError(`group "${name}" contains itself`);
      const g = this.groups.get(name);
      if (!g) throw new InventoryError(`group "${name}" is named as a child but never defined`);
      const next = new Set(seen).add(name);
      return [...g.hosts, ...g.children.flatMap((c) => members(c, next))];
    };
    const groups = new Map<string, string[]>();
    for (const name of this.groups.keys()) groups.set(name, [...new Set(members(name, new Set()))]);
    groups.set('all', [...this.hostVars.keys()]);
    // A host's groups, nearest first: the ones listing it directly, then their parents.
    const parents = new Map<string, string[]>();
    for (const [name, g] of this.groups) for (const c of g.children) parents.set(c, [...(parents.get(c) ?? []), name]);
    const hosts = new Map<string, InventoryHost>();
    for (const [name, own] of this.hostVars) {
      const order: string[] = [];
      const queue = [...this.groups].filter(([, g]) => g.hosts.includes(name)).map(([n]) => n);
      while (queue.length > 0) {
        const g = queue.shift() as string;
        if (order.includes(g)) continue;
        order.push(g);
        queue.push(...(parents.get(g) ?? []));
      }
      if (this.groups.has('all') && !order.includes('all')) order.push('all');
      const vars: Record<string, string> = { ...own };
      for (const g of order)
        for (const [k, v] of Object.entries(this.groups.get(g)?.vars ?? {})) if (!(k in vars)) vars[k] = v;
      hosts.set(name, { name, vars, groups: new Set(order.filter((g) => g !== 'all')) });
    }
    return { hosts, groups };
  }
}

function keyValues(words: readonly string[], where: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) throw new InventoryError(`${where}: expected key=value, got "${word}"`);
    vars[word.slice(0, eq)] = word.slice(eq + 1).replace(/^(["'])(.*)\1$/, '$2');
  }
  return vars;
}

/** Ansible INI, of which a plain `name key=value` list is the case with no sections. */
export function parseIniInventory(text: string, file = 'inventory'): Inventory {
  const draft = new Draft();
  let section = 'ungrouped';
  let kind: 'hosts' | 'children' | 'vars' = 'hosts';
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const where = `${file}:${index + 1}`;
    const line = raw.replace(/(^|\s)[#;].*$/, '').trim();
    if (line === '') continue;
    const header = /^\[([^\]:]+)(?::(children|vars))?\]$/.exec(line);
    if (header) {
      section = header[1] as string;
      kind = (header[2] as 'children' | 'vars' | undefined) ?? 'hosts';
      draft.group(section);
      continue;
    }
    const words = line.split(/\s+/);
    try {
      if (kind === 'hosts') draft.addHost(words[0] as string, keyValues(words.slice(1), where), section);
      else if (kind === 'children') {
        draft.group(words[0] as string);
        draft.group(section).children.push(words[0] as string);
      } else Object.assign(draft.group(section).vars, keyValues(words, where));
    } catch (err) {
      throw err instanceof InventoryError && !err.message.startsWith(file)
        ? new InventoryError(`${where}: ${err.message}`)
        : err;
    }
  }
  return draft.finish();
}

function scalar(value: unknown, where: string): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new InventoryError(`${where}: variables must be strings or numbers`);
}

/** Ansible YAML: `GROUP: {hosts: {NAME: {vars}}, children: {GROUP: …}, vars: {…}}`. */
export function parseYamlInventory(text: string, file = 'inventory'): Inventory {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new InventoryError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new InventoryError(`${file}: expected a mapping of groups`);
  const draft = new Draft();
  const walk = (name: string, body: unknown, depth: number): void => {
    if (depth > 32) throw new InventoryError(`${file}: groups nested deeper than 32`);
    const group = draft.group(name);
    if (body === null || body === undefined) return;
    if (typeof body !== 'object' || Array.isArray(body))
      throw new InventoryError(`${file}: group "${name}" must be a mapping`);
    const { hosts, children, vars } = body as { hosts?: unknown; children?: unknown; vars?: unknown };
    for (const [k, v] of Object.entries((vars as object | null) ?? {}))
      group.vars[k] = scalar(v, `${file}: ${name}.vars.${k}`);
    for (const [host, hv] of Object.entries((hosts as object | null) ?? {})) {
      const own: Record<string, string> = {};
      for (const [k, v] of Object.entries((hv as object | null) ?? {})) own[k] = scalar(v, `${file}: ${host}.${k}`);
      draft.addHost(host, own, name);
    }
    for (const [child, cb] of Object.entries((children as object | null) ?? {})) {
      group.children.push(child);
      walk(child, cb, depth + 1);
    }
  };
  for (const [name, body] of Object.entries(doc)) walk(name, body, 0);
  return draft.finish();
}

/** Reads an inventory, choosing the format by name (.yml/.yaml) or by content (a YAML mapping). */
export function loadInventory(file: string): Inventory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InventoryError(
      `cannot read inventory ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  if (text.length > MAX_INVENTORY_BYTES) throw new InventoryError(`${file}: larger than 16 MiB`);
  const yamlByName = /\.ya?ml$/i.test(file);
  const yamlByContent = /^[A-Za-z0-9_.-]+:\s*$/m.test(
    text.split(/\r?\n/).find((l) => l.trim() && !l.trim().startsWith('#')) ?? '',
  );
  return yamlByName || yamlByContent ? parseYamlInventory(text, file) : parseIniInventory(text, file);
}
