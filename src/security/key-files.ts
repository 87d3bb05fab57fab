import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { SecurityError } from '../errors.js';
import { fingerprintOf, formatSshPublicKey, parsePublicKeyLine } from './public-key-format.js';

export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly fingerprint: string;
  readonly comment: string;
}

/**
 * Makes an Ed25519 key pair: FILE holds the private key (PKCS#8 PEM, mode
 * 0600), FILE.pub the public key as an OpenSSH line, so it can go straight
 * into an OpenSSH or framesh authorized_keys.
 */
export function generateKeyFiles(file: string, comment: string = defaultComment()): KeyPair {
  if (existsSync(file)) throw new SecurityError('KEY_INVALID', `${file} already exists; refusing to overwrite a key`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  writeFileSync(`${file}.pub`, `${formatSshPublicKey(publicKey, comment)}\n`, { mode: 0o644 });
  return { privateKey, publicKey, fingerprint: fingerprintOf(publicKey), comment };
}

/**
 * Loads a private key, refusing one that group or others can read, as OpenSSH
 * does ("UNPROTECTED PRIVATE KEY FILE").
 */
export function loadPrivateKey(file: string): KeyPair {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (err) {
    throw new SecurityError('KEY_INVALID', `cannot read private key ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new SecurityError(
      'KEY_PERMISSIONS',
      `permissions ${(mode & 0o777).toString(8).padStart(4, '0')} for ${file} are too open: a private key must not be readable by others (chmod 600 ${file})`,
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(file));
  } catch (err) {
    throw new SecurityError('KEY_INVALID', `${file} is not a PEM private key: ${(err as Error).message}`, { cause: err });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new SecurityError('KEY_INVALID', `${file} is not an Ed25519 key`);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, fingerprint: fingerprintOf(publicKey), comment: readComment(`${file}.pub`) };
}

/** Loads FILE, or makes it first when it does not exist. */
export function loadOrCreateKey(file: string, comment?: string): { pair: KeyPair; created: boolean } {
  if (existsSync(file)) return { pair: loadPrivateKey(file), created: false };
  return { pair: generateKeyFiles(file, comment), created: true };
}

/** Fingerprint of a public (.pub / authorized_keys line) or private key file. */
export function fingerprintOfFile(file: string): { fingerprint: string; comment: string } {
  const text = readFileSync(file, 'utf8');
  if (text.includes('PRIVATE KEY')) {
    const pair = loadPrivateKey(file);
    return { fingerprint: pair.fingerprint, comment: pair.comment };
  }
  const line = text.split('\n').map(parsePublicKeyLine).find((l) => l !== null);
  if (!line) throw new SecurityError('KEY_INVALID', `${file} holds no public key`);
  return { fingerprint: line.fingerprint, comment: line.comment };
}

function readComment(pubFile: string): string {
  try {
    return parsePublicKeyLine(readFileSync(pubFile, 'utf8').split('\n')[0] ?? '')?.comment ?? '';
  } catch {
    return '';
  }
}

function defaultComment(): string {
  try {
    return `${os.userInfo().username}@${os.hostname()}`;
  } catch {
    return path.basename(os.homedir());
  }
}
