/**
 * The flags every many-hosts command shares (exec, put, get): which hosts (-H, --hosts, --limit) and how
 * they are scheduled and reported (--parallel, --retries, --fail-fast, --json, --summary-only). Defined
 * once so the three commands spell and parse them alike.
 */
import { InvalidArgumentError, type Command } from './commander.js';

function collectList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function parseCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number, got "${text}"`);
  return n;
}

function parsePositiveInt(text: string): number {
  const n = parseCount(text);
  if (n === 0) throw new InvalidArgumentError('must be at least 1');
  return n;
}

/** True when the flags ask for many hosts. */
export function wantsManyHosts(flags: { hostList?: string[]; hosts?: string }): boolean {
  return flags.hostList !== undefined || flags.hosts !== undefined;
}

export function addHostSelectionOptions(command: Command, verb: string): Command {
  return command
    .option(
      '-H, --host-list <hosts>',
      `${verb} many hosts: names, HOST:PORT, ranges web[01:20], @group (repeatable, comma-separated)`,
      collectList,
      undefined,
    )
    .option('--hosts <file>', `${verb} the hosts of an inventory: one per line, or Ansible INI/YAML`)
    .option('--limit <pattern>', 'keep only these of the selected hosts (Ansible pattern: a:b, !x, &y, globs, groups)')
    .option('--parallel <n>', 'many hosts: connections at once', parsePositiveInt, 32)
    .option('--retries <n>', 'many hosts: connection retries per host, with backoff', parseCount, 0)
    .option('--fail-fast', 'many hosts: start no more hosts after the first failure');
}

export function addFanoutReportOptions(command: Command, jsonWhat: string): Command {
  return command
    .option('--json', `many hosts: one JSON object per line (${jsonWhat})`)
    .option('--summary-only', 'many hosts: print only the summary table');
}
