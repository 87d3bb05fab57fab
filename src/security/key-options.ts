import { SecurityError } from '../errors.js';
import { parseAddressPatterns, type AddressPatterns } from './address-patterns.js';

/**
 * What an authorized_keys line's options allow (OpenSSH sshd(8) "AUTHORIZED_KEYS FILE FORMAT").
 * framesh has no port, agent or X11 forwarding and runs no ~/.ssh/rc, so the options that restrict
 * those hold by construction; the ones it cannot honour make the whole line unusable.
 */
export interface KeyOptions {
  /** `command="..."`: every exec or terminal channel runs this instead of what the client asked for. */
  readonly forcedCommand: string | null;
  /** `from="..."`: client addresses the key may be used from. */
  readonly from: AddressPatterns | null;
  /** `expiry-time="..."`: the key is refused from this time on (ms since the epoch). */
  readonly expiresAtMs: number | null;
  /** False after `no-pty` or `restrict` (unless a later `pty`): no terminal channels. */
  readonly pty: boolean;
  /** The option names as given, lower-cased, for the audit log. */
  readonly names: readonly string[];
}

export const NO_OPTIONS: KeyOptions = { forcedCommand: null, from: null, expiresAtMs: null, pty: true, names: [] };

/** Flags that only govern features framesh does not have, with or without `no-`: accepted, always true. */
const FORWARDING_FLAGS = new Set(['port-forwarding', 'agent-forwarding', 'x11-forwarding', 'user-rc']);
/** Valued options that only narrow forwarding framesh never does. */
const FORWARDING_VALUES = new Set(['permitopen', 'permitlisten', 'tunnel']);
/** Options framesh cannot enforce; a line carrying one is refused rather than half-honoured. */
const REFUSED = new Map([
  ['cert-authority', 'framesh does not accept certificates'],
  ['principals', 'framesh does not accept certificates'],
  ['environment', 'framesh does not set environment variables from authorized_keys'],
  ['no-touch-required', 'framesh has no FIDO (sk-) keys'],
  ['verify-required', 'framesh has no FIDO (sk-) keys'],
]);

/**
 * Parses the options field (`opt,opt="value",...`) the way OpenSSH's sshauthopt_parse() does: names are
 * case-insensitive, values are double-quoted with `\"` for a quote, options are separated by commas and
 * nothing else. Throws KEY_INVALID for anything it does not know or cannot enforce.
 */
export function parseKeyOptions(text: string): KeyOptions {
  if (text === '') return NO_OPTIONS;
  let forcedCommand: string | null = null;
  let from: AddressPatterns | null = null;
  let expiresAtMs: number | null = null;
  let pty = true;
  const names: string[] = [];
  let at = 0;
  while (at < text.length) {
    const nameMatch = /^[A-Za-z0-9-]+/.exec(text.slice(at));
    if (!nameMatch) throw invalid(`bad option syntax at ${JSON.stringify(text.slice(at, at + 20))}`);
    const name = nameMatch[0].toLowerCase();
    at += nameMatch[0].length;
    let value: string | null = null;
    if (text[at] === '=') {
      const quoted = dequote(text, at + 1);
      value = quoted.value;
      at = quoted.end;
    }
    if (at < text.length && text[at] !== ',') throw invalid(`bad option syntax after ${name}`);
    if (text[at] === ',') {
      at++;
      if (at === text.length) throw invalid('the options end in a comma');
    }
    names.push(name);
    const refusal = REFUSED.get(name);
    if (refusal) throw invalid(`option ${name} is not supported: ${refusal}`);
    const bare = name.startsWith('no-') ? name.slice(3) : name;
    if (name === 'restrict' || bare === 'pty' || FORWARDING_FLAGS.has(bare)) {
      if (value !== null) throw invalid(`option ${name} takes no value`);
      if (name === 'restrict' || name === 'no-pty') pty = false;
      else if (name === 'pty') pty = true;
      continue;
    }
    if (value === null) throw invalid(`option ${name} is not supported (or needs ="value")`);
    if (name === 'command') {
      if (forcedCommand !== null) throw invalid('more than one command= option');
      forcedCommand = value;
    } else if (name === 'from') {
      if (from !== null) throw invalid('more than one from= option');
      from = parseAddressPatterns(value);
    } else if (name === 'expiry-time') {
      if (expiresAtMs !== null) throw invalid('more than one expiry-time= option');
      expiresAtMs = parseExpiryTime(value);
    } else if (FORWARDING_VALUES.has(name)) {
      if (value === '') throw invalid(`option ${name} needs a value`);
    } else {
      throw invalid(`option ${name} is not supported`);
    }
  }
  return { forcedCommand, from, expiresAtMs, pty, names };
}

function dequote(text: string, at: number): { value: string; end: number } {
  if (text[at] !== '"') throw invalid('an option value must be in double quotes');
  let value = '';
  for (at++; at < text.length; at++) {
    const c = text[at] as string;
    if (c === '\\' && text[at + 1] === '"') {
      value += '"';
      at++;
    } else if (c === '"') {
      return { value, end: at + 1 };
    } else {
      value += c;
    }
  }
  throw invalid('an option value has no closing quote');
}

/** OpenSSH's expiry-time: YYYYMMDD[HHMM[SS]], local time unless it ends in Z (UTC). */
export function parseExpiryTime(value: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(Z?)$/.exec(value);
  if (!match) throw invalid(`expiry-time ${JSON.stringify(value)} is not YYYYMMDD[HHMM[SS]][Z]`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', utc] = match;
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  const ms = utc ? Date.UTC(...parts) : new Date(...parts).getTime();
  const check = new Date(ms);
  const got = utc
    ? [
        check.getUTCFullYear(),
        check.getUTCMonth(),
        check.getUTCDate(),
        check.getUTCHours(),
        check.getUTCMinutes(),
        check.getUTCSeconds(),
      ]
    : [
        check.getFullYear(),
        check.getMonth(),
        check.getDate(),
        check.getHours(),
        check.getMinutes(),
        check.getSeconds(),
      ];
  if (got.some((v, i) => v !== parts[i])) throw invalid(`expiry-time ${value} is not a real date and time`);
  return ms;
}

function invalid(message: string): SecurityError {
  return new SecurityError('KEY_INVALID', message);
}
