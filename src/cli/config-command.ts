import { Command } from 'commander';
import { loadClientConfig } from '../fanout/client-config.js';
import { homeFile, resolveHome } from '../security/framesh-home.js';
import { DEFAULT_PORT } from '../server/server.js';
import { describeError, exitStatusHelp } from './exit-status.js';

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
    .action((host: string, flags: { config?: string }) => {
      try {
        const file = flags.config ?? homeFile(resolveHome(), 'config');
        const config = loadClientConfig(file, flags.config !== undefined);
        const s = config.settingsFor(host);
        const lines = [
          `host ${host}`,
          `hostname ${s.hostName ?? host}`,
          `port ${s.port ?? DEFAULT_PORT}`,
          ...(s.identityFile !== undefined ? [`identityfile ${s.identityFile}`] : []),
          ...(s.fingerprint !== undefined ? [`fingerprint ${s.fingerprint}`] : []),
          ...(s.connectTimeoutMs !== undefined ? [`connecttimeout ${s.connectTimeoutMs}ms`] : []),
          ...(s.strictHostKeyChecking !== undefined ? [`stricthostkeychecking ${s.strictHostKeyChecking}`] : []),
          ...(s.insecure !== undefined ? [`insecure ${s.insecure ? 'yes' : 'no'}`] : []),
          ...config
            .explain(host)
            .map((b) =>
              b.line === 0
                ? `# from ${file}: the lines before any Host`
                : `# from ${file}:${b.line}: Host ${b.patterns.join(' ')}`,
            ),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      } catch (err) {
        process.stderr.write(`${describeError(err)}\n`);
        process.exitCode = 1;
      }
    });
}
