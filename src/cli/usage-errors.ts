import type { Command, CommanderError } from 'commander';
import { EXIT_USAGE } from './exit-status.js';

/**
 * Every usage error exits with one status in every command (2, as most Unix tools use; commander's
 * own default is 1, which framesh uses for "the work failed"). Help and --version still exit 0.
 * Applied to each subcommand, since commander does not pass exitOverride to added commands.
 */
export function exitUsageErrorsWith2(command: Command): void {
  command.exitOverride((err: CommanderError) => {
    process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  });
  for (const sub of command.commands) exitUsageErrorsWith2(sub);
}
