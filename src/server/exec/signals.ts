import os from 'node:os';
import { ProtocolError } from '../../errors.js';

/** Accepts "INT" or "SIGINT"; PROTOCOL.md §4.6 names signals without or with the SIG prefix. */
export function parseSignalName(name: string): NodeJS.Signals {
  const full = (name.startsWith('SIG') ? name : `SIG${name}`) as NodeJS.Signals;
  if (!(full in os.constants.signals)) throw new ProtocolError(`unknown signal "${name}"`);
  return full;
}
