import { Command } from './commander.js';
import { addConnectionOptions } from './connection-options.js';
import { exitStatusHelp } from './exit-status.js';
import type { WebSessionsFlags } from './web-run.js';

export function webSessionsCommand(): Command {
  const command = new Command('web-sessions')
    .description("list the browser terminal's sessions on a server started with --web, or end one (--revoke)")
    .argument('<host[:port]>', 'server address (default port 7022)')
    .option('--revoke <id>', 'end the session with this id: its sockets close and its cookie stops working')
    .option('--json', 'print the list as JSON')
    .addHelpText(
      'after',
      '\nColumns: ID, the key that minted the login (fingerprint and comment), age, idle time, time left, open sockets.' +
        exitStatusHelp([
          ['1', 'the server refused (WEB_DISABLED without --web; WEB_SESSION_UNKNOWN for an id it does not hold)'],
          ['255', 'framesh failed: connect or authentication'],
        ]),
    )
    .action(async (targetText: string, flags: WebSessionsFlags) => {
      const { runWebSessions } = await import('./web-run.js');
      process.exitCode = await runWebSessions(targetText, flags);
    });
  return addConnectionOptions(command);
}
