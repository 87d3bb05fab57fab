import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homeFile } from './framesh-home.js';
import { loadOrCreateKey } from './key-files.js';

export interface FirstRunResult {
  readonly identityFile: string;
  readonly identityCreated: boolean;
  readonly fingerprint: string;
}

/**
 * Zero-config first run: when the server has no authorized_keys at all, it
 * authorizes this account's own client key (making it if missing), so the
 * same account can connect at once — encrypted and authenticated. Does
 * nothing when the file exists, even if empty: an empty file means "nobody".
 */
export function authorizeOwnKeyOnFirstRun(home: string, authorizedKeysFile: string): FirstRunResult | null {
  if (existsSync(authorizedKeysFile)) return null;
  const identityFile = homeFile(home, 'id_ed25519');
  const { pair, created } = loadOrCreateKey(identityFile);
  writeFileSync(authorizedKeysFile, readFileSync(`${identityFile}.pub`, 'utf8'), { mode: 0o600, flag: 'wx' });
  return { identityFile, identityCreated: created, fingerprint: pair.fingerprint };
}

/** 127.0.0.0/8, ::1 and localhost: the only addresses --insecure may bind without --insecure-allow-remote. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1' || host === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
