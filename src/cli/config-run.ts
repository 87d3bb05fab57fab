import { loadClientConfig } from '../fanout/client-config.js';
import { homeFile, resolveHome } from '../security/framesh-home.js';
import { DEFAULT_PORT } from '../protocol/constants.js';
import { describeError } from './exit-status.js';

/** `framesh config HOST`'s work: print the settings for HOST and where they come from; the exit status. */
export function runConfig(host: string, flags: { config?: string }): number {
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
    return 0;
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    return 1;
  }
}
