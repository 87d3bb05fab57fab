import { isIPv6 } from 'node:net';
import { isLoopbackHost } from '../security/first-run.js';

/**
 * The origins the browser terminal is served on, exactly as a browser writes them in `Origin`
 * (scheme://host[:port], lower case, default port left out). On a loopback address the page is reached
 * as that address or as `localhost`; any other name must be given (`serve --web-origin`).
 */
export function servedOrigins(
  scheme: 'http' | 'https',
  host: string,
  port: number,
  extra: readonly string[] = [],
): Set<string> {
  const defaultPort = scheme === 'https' ? 443 : 80;
  const portPart = port === defaultPort ? '' : `:${port}`;
  const hosts = new Set<string>([hostForUrl(host)]);
  if (isLoopbackHost(host)) for (const name of ['localhost', '127.0.0.1', '[::1]']) hosts.add(name);
  const origins = new Set<string>([...hosts].map((h) => `${scheme}://${h}${portPart}`));
  for (const origin of extra) origins.add(normalizeOrigin(origin));
  return origins;
}

/** CSWSH and CSRF check (docs/SECURITY.md): the `Origin` header must be one of the served origins, exactly. */
export function originAllowed(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  return origin !== undefined && allowed.has(origin);
}

/**
 * DNS-rebinding check: the `Host` header must name the server as one of its origins does, so a page
 * on another name that was pointed at this address is refused before any cookie matters.
 */
export function hostAllowed(
  hostHeader: string | undefined,
  scheme: 'http' | 'https',
  allowed: ReadonlySet<string>,
): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.toLowerCase();
  const bare = scheme === 'https' ? host.replace(/:443$/, '') : host.replace(/:80$/, '');
  return allowed.has(`${scheme}://${bare}`);
}

function hostForUrl(host: string): string {
  const lower = host.toLowerCase();
  return isIPv6(lower) ? `[${lower}]` : lower;
}

/** `https://Example.org:443/` → `https://example.org`, as a browser would send it. */
export function normalizeOrigin(text: string): string {
  const url = new URL(text);
  return url.origin;
}
