import type { Command } from 'commander';
import { classicCommand } from './classic-command.js';
import { completionCommand } from './completion-command.js';
import { configCommand } from './config-command.js';
import { execCommand } from './exec-command.js';
import { keygenCommand } from './keygen-command.js';
import { rootCommand } from './root-command.js';
import { transferCommand } from './transfer-command.js';
import { serveCommand } from './serve-command.js';
import { shellCommand } from './shell-command.js';
import { exitUsageErrorsWith2 } from './usage-errors.js';
import { webLoginCommand } from './web-login-command.js';
import { webSessionsCommand } from './web-sessions-command.js';

/**
 * The whole `framesh` command tree (root help, completion scripts and tests use it; run-cli.ts builds
 * only the subcommand a command line names, through command-for-argv.ts, whose SUBCOMMANDS list the
 * same commands in the same order).
 */
export function buildProgram(): Command {
  const program = rootCommand();
  program.addCommand(serveCommand());
  program.addCommand(execCommand());
  program.addCommand(shellCommand());
  program.addCommand(transferCommand('put'));
  program.addCommand(transferCommand('get'));
  program.addCommand(keygenCommand());
  program.addCommand(classicCommand());
  program.addCommand(completionCommand());
  program.addCommand(configCommand());
  program.addCommand(webLoginCommand());
  program.addCommand(webSessionsCommand());
  exitUsageErrorsWith2(program);
  return program;
}
