import { chmodSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** `$FRAMESH_HOME`, default `~/.framesh`: keys, known_hosts, authorized_keys. */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.FRAMESH_HOME && env.FRAMESH_HOME.length > 0
    ? path.resolve(env.FRAMESH_HOME)
    : path.join(os.homedir(), '.framesh');
}

/** Creates the state directory with mode 0700 (and tightens an existing one, as ssh does for ~/.ssh). */
export function ensureHome(home: string): string {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  if ((statSync(home).mode & 0o077) !== 0) chmodSync(home, 0o700);
  return home;
}

/** Well-known file names inside the state directory. */
export const HomeFiles = {
  identity: 'id_ed25519',
  hostKey: 'host_ed25519',
  hostCert: 'host_cert.pem',
  knownHosts: 'known_hosts',
  authorizedKeys: 'authorized_keys',
  clientConfig: 'config',
} as const;

export function homeFile(home: string, name: (typeof HomeFiles)[keyof typeof HomeFiles]): string {
  return path.join(home, name);
}
