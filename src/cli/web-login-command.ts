import { Command } from './commander.js';
import { addConnectionOptions, type ConnectionFlags } from './connection-options.js';
import { exitStatusHelp } from './exit-status.js';

export function webLoginCommand(): Command {
  const command = new Command('web-login')
    .description(
      'print a one-time login URL for the browser terminal of a server started with --web (good once, for 60 s)',
    )
    .argument('<host[:port]>', 'server address (default port 7022)')
    .addHelpText(
      'after',
      '\nThe URL is minted for the key this command authenticates with; the browser session it opens is tied to that' +
        "\nkey in the server's audit log and obeys its authorized_keys options. Opening the URL sets a session cookie" +
        '\nand redirects to the terminal, so the token does not stay in the browser history.' +
        exitStatusHelp([
          ['1', 'the server refused (WEB_DISABLED: it was not started with --web)'],
          ['255', 'framesh failed: connect or authentication'],
        ]),
    )
    .action(async (targetText: string, flags: ConnectionFlags) => {
      const { runWebLogin } = await import('./web-run.js');
      process.exitCode = await runWebLogin(targetText, flags);
    });
  return addConnectionOptions(command);
}
