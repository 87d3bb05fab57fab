import { Command } from './commander.js';
import { exitStatusHelp } from './exit-status.js';

/** `framesh config HOST`: the settings that apply to HOST and the lines they come from (like `ssh -G`). */
export function configCommand(): Command {
  return new Command('config')
    .description('print the client settings that apply to HOST (like ssh -G)')
    .argument('<host>', 'a host name or alias')
    .option('-F, --config <file>', 'client configuration file (default $FRAMESH_HOME/config)')
    .addHelpText(
      'after',
      exitStatusHelp([['1', 'the configuration file cannot be read or has a bad line (CONFIG, with file and line)']]),
    )
    .action(async (host: string, flags: { config?: string }) => {
      // Loaded only now, so `--help` and the other commands start without the config parser.
      const { runConfig } = await import('./config-run.js');
      process.exitCode = runConfig(host, flags);
    });
}
