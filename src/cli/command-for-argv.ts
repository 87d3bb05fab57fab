import type { Command } from 'commander';
import { rootCommand } from './root-command.js';
import { exitUsageErrorsWith2 } from './usage-errors.js';

/**
 * Each subcommand's definition, loaded on demand: `framesh exec …` then loads exec's options and not
 * the other ten commands' (a start-up cost of every run, docs/BENCHMARKS.md "CLI start-up"). The same
 * commands, in the same order, as buildProgram() in program.ts (test/unit/cli-help.test.ts checks).
 */
export const SUBCOMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  serve: async () => (await import('./serve-command.js')).serveCommand(),
  exec: async () => (await import('./exec-command.js')).execCommand(),
  shell: async () => (await import('./shell-command.js')).shellCommand(),
  put: async () => (await import('./transfer-command.js')).transferCommand('put'),
  get: async () => (await import('./transfer-command.js')).transferCommand('get'),
  keygen: async () => (await import('./keygen-command.js')).keygenCommand(),
  classic: async () => (await import('./classic-command.js')).classicCommand(),
  // completion prints scripts made from the whole tree, so it is built from program.ts (below).
  config: async () => (await import('./config-command.js')).configCommand(),
  'web-login': async () => (await import('./web-login-command.js')).webLoginCommand(),
  'web-sessions': async () => (await import('./web-sessions-command.js')).webSessionsCommand(),
};

/**
 * The command tree that parses `argv`: when its first word names a subcommand, the root with only
 * that subcommand (which alone can run, print help or report a usage error); otherwise (root options,
 * root help, `help`, `completion`, an unknown word) the whole tree, so help and suggestions list all.
 */
export async function commandForArgv(argv: readonly string[]): Promise<Command> {
  const word = argv[2] ?? '';
  const load = Object.hasOwn(SUBCOMMANDS, word) ? SUBCOMMANDS[word] : undefined;
  if (!load) return (await import('./program.js')).buildProgram();
  const program = rootCommand();
  program.addCommand(await load());
  exitUsageErrorsWith2(program);
  return program;
}
