import { Command } from './commander.js';
import { VERSION } from '../version.js';

/**
 * The `framesh` root without its subcommands: program.ts adds them all, command-for-argv.ts only the
 * one a command line names. One definition, so that both give the same names, options and help.
 */
export function rootCommand(): Command {
  return new Command('framesh')
    .description('run commands on other machines and move files, over one framed connection')
    .version(VERSION)
    .enablePositionalOptions()
    .showHelpAfterError();
}
