import { Command } from 'commander';
import { addConnectionOptions } from './connection-options.js';
import { exitStatusHelp } from './exit-status.js';
import type { TransferFlags } from './transfer-run.js';

/** `framesh put` and `framesh get`: one file at a time over one connection, scp's rules for names. */
export function transferCommand(direction: 'put' | 'get'): Command {
  const command = new Command(direction)
    .description(direction === 'put' ? 'copy local files to a server (scp-like)' : 'copy files from a server (scp-like)')
    .argument('<paths...>', direction === 'put' ? 'LOCAL... HOST[:PORT]:REMOTE' : 'HOST[:PORT]:REMOTE... LOCAL')
    .option('-r, --recursive', 'copy directory trees (directories and regular files; other special files are skipped)')
    .option('-p, --preserve', 'keep modification times too (the mode is always kept)')
    .option('-q, --quiet', 'no progress bars')
    .option('--no-resume', 'start over instead of continuing an interrupted transfer')
    .addHelpText(
      'after',
      direction === 'put'
        ? '\nRemote paths are under the server\'s file root (serve --root). Example: framesh put -r site/ web1:/srv/www'
        : '\nExample: framesh get web1:logs/app.log web1:logs/db.log ./logs/',
    )
    .addHelpText(
      'after',
      exitStatusHelp([
        ['1', 'at least one file could not be copied (each failure is named; the others still go)'],
        ['255', 'framesh failed: connect, host key or authentication'],
      ]),
    )
    .action(async (paths: string[], flags: TransferFlags) => {
      // Loaded only now, so `--help` and usage errors start without the client and progress bars.
      const { runTransfer } = await import('./transfer-run.js');
      process.exitCode = await runTransfer(direction, paths, flags, command);
    });
  return addConnectionOptions(command, '-P');
}
