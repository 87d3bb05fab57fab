import { Command } from './commander.js';
import { addConnectionOptions } from './connection-options.js';
import { durationFlag } from './duration.js';
import { exitStatusHelp } from './exit-status.js';
import { addFanoutReportOptions, addHostSelectionOptions, wantsManyHosts } from './fanout-options.js';
import type { FanoutTransferFlags } from './fanout-transfer.js';
import type { TransferFlags } from './transfer-run.js';

const FANOUT_HELP = {
  put:
    '\nMany hosts (-H, --hosts): the same LOCAL... to REMOTE on every host (no HOST: in REMOTE), a bar per host\n' +
    'and a total on a terminal, then a summary. Example: framesh put -H web[01:20] --parallel 8 app.tar.gz /srv/',
  get:
    '\nMany hosts (-H, --hosts): REMOTE... from every host (no HOST: in REMOTE) into DIR/HOST/ (HOST made safe as one\n' +
    'directory name: / \\ % and control characters become %XX, each dot of . or .. %2E), a bar per host and a total\n' +
    'on a terminal, then a summary. Example: framesh get -H @db logs/app.log ./collected/   (-> collected/db1/app.log)',
};

/** `framesh put` and `framesh get`: one file at a time over one connection, scp's rules for names. */
export function transferCommand(direction: 'put' | 'get'): Command {
  const base = new Command(direction)
    .description(
      direction === 'put' ? 'copy local files to a server (scp-like)' : 'copy files from a server (scp-like)',
    )
    .argument('<paths...>', direction === 'put' ? 'LOCAL... HOST[:PORT]:REMOTE' : 'HOST[:PORT]:REMOTE... LOCAL')
    .option('-r, --recursive', 'copy directory trees (directories and regular files; other special files are skipped)')
    .option('-p, --preserve', 'keep modification times and exact permission bits (otherwise the mode less the umask)')
    .option('-q, --quiet', 'no progress bars')
    .option('--no-resume', 'start over instead of continuing an interrupted transfer');
  const command = addFanoutReportOptions(
    addHostSelectionOptions(base, direction === 'put' ? 'copy to' : 'copy from'),
    'files, host ends, errors',
  )
    .addOption(
      durationFlag('--timeout <duration>', 'many hosts: time allowed per host, connect to last byte (30s, 5m)', 'none'),
    )
    .addHelpText(
      'after',
      direction === 'put'
        ? "\nRemote paths are under the server's file root (serve --root). Example: framesh put -r site/ web1:/srv/www"
        : '\nExample: framesh get web1:logs/app.log web1:logs/db.log ./logs/',
    )
    .addHelpText(
      'after',
      exitStatusHelp([
        ['1', 'at least one file could not be copied (each failure is named; the others still go)'],
        ['255', 'framesh failed: connect, host key or authentication'],
      ]) +
        FANOUT_HELP[direction] +
        '\nExit status then: 0 every host copied everything; 1 a file failed or a host timed out; 255 a host could not be\n' +
        'reached or its connection failed.\n',
    )
    .action(async (paths: string[], flags: TransferFlags & FanoutTransferFlags) => {
      if (wantsManyHosts(flags)) {
        const { runFanoutTransfer } = await import('./fanout-transfer.js');
        process.exitCode = await runFanoutTransfer(direction, paths, flags);
        return;
      }
      // Loaded only now, so `--help` and usage errors start without the client and progress bars.
      const { runTransfer } = await import('./transfer-run.js');
      process.exitCode = await runTransfer(direction, paths, flags, command);
    });
  return addConnectionOptions(command, '-P');
}
