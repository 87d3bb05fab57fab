import { InvalidArgumentError } from './commander.js';
import { DEFAULT_PORT } from '../protocol/constants.js';
import type { Target } from './target.js';

export interface RemotePath extends Target {
  readonly path: string;
}

/**
 * `HOST:PATH`, `HOST:PORT:PATH`, `[IPv6]:PATH` or `[IPv6]:PORT:PATH`, as scp
 * writes them plus an optional port. An empty PATH means the file root.
 */
export function parseRemotePath(text: string, defaultPort: number = DEFAULT_PORT): RemotePath | null {
  const bracketed = /^\[([^\]]+)\]:(?:(\d+):)?(.*)$/.exec(text);
  if (bracketed) return build(bracketed[1] as string, bracketed[2], bracketed[3] as string, text, defaultPort);
  const plain = /^([^:/[\]]+):(?:(\d+):)?(.*)$/.exec(text);
  if (plain) return build(plain[1] as string, plain[2], plain[3] as string, text, defaultPort);
  return null;
}

/** Like parseRemotePath, for arguments that must be remote. */
export function requireRemotePath(text: string, defaultPort: number = DEFAULT_PORT): RemotePath {
  const remote = parseRemotePath(text, defaultPort);
  if (!remote) throw new InvalidArgumentError(`expected HOST[:PORT]:PATH, got "${text}"`);
  return remote;
}

function build(host: string, port: string | undefined, path: string, whole: string, defaultPort: number): RemotePath {
  const number = port === undefined ? defaultPort : Number(port);
  if (!Number.isInteger(number) || number < 1 || number > 65535)
    throw new InvalidArgumentError(`bad port in "${whole}"`);
  return { host, port: number, path: path === '' ? '.' : path };
}
