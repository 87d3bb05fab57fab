import { InvalidArgumentError } from './commander.js';
import { DEFAULT_PORT } from '../protocol/constants.js';

export interface Target {
  readonly host: string;
  readonly port: number;
}

/** Parses HOST, HOST:PORT, [IPv6] or [IPv6]:PORT. `localhost` stays a name so the resolver picks. */
export function parseTarget(text: string, defaultPort: number = DEFAULT_PORT): Target {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { host: bracketed[1] as string, port: parsePort(bracketed[2], defaultPort, text) };
  const colons = text.split(':').length - 1;
  if (colons > 1) return { host: text, port: defaultPort }; // bare IPv6 without a port
  const [host, port] = text.split(':');
  if (!host) throw new InvalidArgumentError(`no host in "${text}"`);
  return { host, port: parsePort(port, defaultPort, text) };
}

function parsePort(text: string | undefined, fallback: number, whole: string): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`bad port in "${whole}"`);
  return port;
}

/** Commander argument parser for non-negative integer options. */
export function parseNonNegativeInt(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new InvalidArgumentError(`expected a non-negative integer, got "${text}"`);
  return value;
}
