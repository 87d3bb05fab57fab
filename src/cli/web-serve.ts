import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { FrameshServer } from '../server/server.js';
import { ensureHome, resolveHome } from '../security/framesh-home.js';
import { loadOrCreateWebCertificate } from '../web/web-certificate.js';
import { WebService, webUsesTls } from '../web/web-service.js';
import type { WebServeFlags } from './web-serve-options.js';

/**
 * `serve --web`: makes the web service (before the framesh server listens: it installs the `web`
 * channel kind), and its audit log lines. `start` then listens and prints the page's address and a
 * first login URL, minted for the server's own host key (the account running `serve`).
 */
export async function prepareWeb(
  server: FrameshServer,
  flags: WebServeFlags,
  log: Logger,
): Promise<{ start: () => Promise<WebService> } | null> {
  if (flags.web === undefined) return null;
  if ((flags.webCert === undefined) !== (flags.webKey === undefined))
    throw new Error('--web-cert and --web-key go together');
  let tls: { certPem: string; keyPem: string } | null = null;
  if (flags.webCert !== undefined) {
    tls = { certPem: readFileSync(flags.webCert, 'utf8'), keyPem: readFileSync(flags.webKey as string, 'utf8') };
  } else if (webUsesTls(flags.webHost, false)) {
    // Off loopback without --web-cert: the page's own self-signed certificate, made once (web-certificate.ts).
    const names = [
      ...(['0.0.0.0', '::'].includes(flags.webHost) ? [] : [flags.webHost]),
      ...flags.webOrigin.map((o) => new URL(o).hostname.replace(/^\[|\]$/g, '')),
    ];
    const made = await loadOrCreateWebCertificate(ensureHome(resolveHome()), names);
    process.stderr.write(
      `framesh: web certificate${made.created ? ' (new, self-signed)' : ' (self-signed)'} SHA-256 ${made.fingerprint256}: compare it with what the browser shows before you log in\n`,
    );
    tls = made;
  }
  const web = new WebService(server, {
    host: flags.webHost,
    port: flags.web,
    ...(tls && { certPem: tls.certPem, keyPem: tls.keyPem }),
    origins: flags.webOrigin,
    idleMs: flags.webIdle,
    maxAgeMs: flags.webMaxAge,
    resumeGraceMs: flags.webResumeGrace,
  });
  web.on('login', (info) => log.info({ event: 'web.login', ...info }));
  web.on('loginRefused', (info) => log.warn({ event: 'web.login-refused', ...info }));
  web.on('sessionEnded', (info) => log.info({ event: 'web.session-end', ...info }));
  web.on('refused', (info) => log.warn({ event: 'web.refused', ...info }));
  web.on('download', (info) => log.info({ event: 'web.download', ...info }));
  return {
    start: async () => {
      const { origin } = await web.listen();
      process.stdout.write(`framesh web terminal on ${origin}\n`);
      const { url } = web.mintLogin({ fingerprint: server.fingerprint, comment: 'serve --web (the server account)' });
      process.stderr.write(
        `framesh: web login, once within a minute: ${url}\nframesh: later logins: framesh web-login HOST\n`,
      );
      log.info({ event: 'web.ready', origin, origins: [...web.origins] });
      return web;
    },
  };
}
