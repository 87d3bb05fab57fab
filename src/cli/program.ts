import { Command } from 'commander';
import { VERSION } from '../version.js';
import { classicCommand } from './classic-command.js';
import { completionCommand } from './completion-command.js';
import { configCommand } from './config-command.js';
import { execCommand } from './exec-command.js';
import { keygenCommand } from './keygen-command.js';
import { transferCommand } from './transfer-command.js';
import { serveCommand } from './serve-command.js';
import { shellCommand } from './shell-command.js';
import { exitUsageErrorsWith2 } from './usage-errors.js';
import { webLoginCommand } from './web-login-command.js';
import { webSessionsCommand } from './web-sessions-command.js';

/** The whole `framesh` command tree (main.ts parses argv with it; completion scripts are derived from it). */
export function buildProgram(): Command {
  const program = new Command('framesh')
    .description('run commands on other machines and move files, over one framed connection')
    .version(VERSION)
    .enablePositionalOptions()
    .showHelpAfterError();

  program.addCommand(serveCommand());
  program.addCommand(execCommand().passThroughOptions());
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
