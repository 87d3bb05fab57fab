import type { Command } from 'commander';
import { DEFAULT_RESUME_GRACE_MS, DEFAULT_WEB_IDLE_MS, DEFAULT_WEB_MAX_AGE_MS } from '../web/web-defaults.js';
import { durationFlag } from './duration.js';
import { parseNonNegativeInt } from './target.js';

/** The `serve` flags of the browser terminal (README, "Browser terminal"). */
export interface WebServeFlags {
  web?: number;
  webHost: string;
  webCert?: string;
  webKey?: string;
  webOrigin: string[];
  webIdle: number;
  webMaxAge: number;
  webResumeGrace: number;
}

/** Adds the --web* options to `serve`. */
export function addWebOptions(command: Command): Command {
  return command
    .option(
      '--web <port>',
      'also serve the browser terminal on this port (0 picks a free one); log in with `framesh web-login`',
      parseNonNegativeInt,
    )
    .option(
      '--web-host <address>',
      'address of the browser terminal; a non-loopback one is served over HTTPS only',
      '127.0.0.1',
    )
    .option(
      '--web-cert <file>',
      'HTTPS certificate (PEM) for the browser terminal (default off loopback: a self-signed one made in $FRAMESH_HOME, its fingerprint printed at start)',
    )
    .option('--web-key <file>', 'private key (PEM) of --web-cert')
    .option(
      '--web-origin <url>',
      'another origin the page is reached on, such as https://host.example:8443 (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .addOption(
      durationFlag(
        '--web-idle <duration>',
        'a browser session ends after this long without use',
        'refused',
        DEFAULT_WEB_IDLE_MS,
      ),
    )
    .addOption(
      durationFlag(
        '--web-max-age <duration>',
        'a browser session ends this long after login, used or not',
        'refused',
        DEFAULT_WEB_MAX_AGE_MS,
      ),
    )
    .addOption(
      durationFlag(
        '--web-resume-grace <duration>',
        'grace for a page whose connection dropped to come back to the same shell (none: a drop ends the shell)',
        'none',
        DEFAULT_RESUME_GRACE_MS,
      ),
    );
}
