import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { ssh2 } from './ssh2-library.js';
import { SecurityError } from '../errors.js';
import { KeyMissingError, KeyPassphraseError } from './key-errors.js';
import {
  fingerprintOf,
  formatSshPublicKey,
  keyBits,
  parsePublicKeyLine,
  sshKeyType,
  type SshKeyType,
} from './public-key-format.js';
import { MIN_RSA_BITS } from './signature-algorithms.js';

export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly type: SshKeyType;
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
  const dir = path.dirname(path.resolve(file));
  if (!existsSync(dir))
    throw new SecurityError(
      'KEY_INVALID',
      `cannot write ${file}: the directory ${dir} does not exist (create it first, mode 0700)`,
    );
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  writeFileSync(`${file}.pub`, `${formatSshPublicKey(publicKey, comment)}\n`, { mode: 0o644 });
  return { privateKey, publicKey, type: 'ssh-ed25519', fingerprint: fingerprintOf(publicKey), comment };
}

/**
 * Loads a private key file, refusing one that group or others can read, as OpenSSH does
 * ("UNPROTECTED PRIVATE KEY FILE"). Reads framesh's PKCS#8 PEM and what ssh-keygen writes
 * (openssh-key-v1, or PEM with -m PEM), Ed25519, RSA or ECDSA, encrypted or not; an encrypted key
 * without the right `passphrase` throws KeyPassphraseError, so the caller can ask and try again.
 */
export function loadPrivateKey(file: string, passphrase?: string | Buffer): KeyPair {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new KeyMissingError(`no private key at ${file}`, { cause: err });
    throw new SecurityError('KEY_INVALID', `cannot read private key ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new SecurityError(
      'KEY_PERMISSIONS',
      `permissions ${(mode & 0o777).toString(8).padStart(4, '0')} for ${file} are too open: a private key must not be readable by others (chmod 600 ${file})`,
    );
  }
  const pair = parsePrivateKey(readFileSync(file), file, passphrase);
  return pair.comment ? pair : { ...pair, comment: readComment(`${file}.pub`) };
}

const SSH_FORMATS = /-----BEGIN (OPENSSH|RSA|EC) PRIVATE KEY-----/;

/**
 * Parses a private key held in memory (`source` names it in messages). OpenSSH formats go through
 * ssh2's parser (openssh-key-v1 with bcrypt-pbkdf, and legacy PEM); PKCS#8 through Node's.
 */
export function parsePrivateKey(data: Buffer | string, source: string, passphrase?: string | Buffer): KeyPair {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let privateKey: KeyObject;
  let comment = '';
  if (SSH_FORMATS.test(bytes.toString('latin1'))) {
    const parsed = ssh2().utils.parseKey(bytes, passphrase);
    if (parsed instanceof Error) {
      if (/no passphrase given/i.test(parsed.message)) throw new KeyPassphraseError(source, false);
      if (/passphrase|integrity check|bad decrypt/i.test(parsed.message)) throw new KeyPassphraseError(source, true);
      throw new SecurityError('KEY_INVALID', `${source} is not a usable private key: ${parsed.message}`, {
        cause: parsed,
      });
    }
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key || !key.isPrivateKey()) throw new SecurityError('KEY_INVALID', `${source} holds no private key`);
    try {
      privateKey = createPrivateKey(key.getPrivatePEM());
    } catch (err) {
      throw new SecurityError(
        'KEY_INVALID',
        `${source} is a ${key.type} key framesh cannot use: ${(err as Error).message}`,
        { cause: err },
      );
    }
    comment = key.comment;
  } else {
    try {
      privateKey = createPrivateKey(passphrase === undefined ? bytes : { key: bytes, passphrase });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_MISSING_PASSPHRASE') throw new KeyPassphraseError(source, false);
      if (passphrase !== undefined && /bad decrypt|decrypt/i.test((err as Error).message))
        throw new KeyPassphraseError(source, true);
      throw new SecurityError(
        'KEY_INVALID',
        `${source} is not a private key framesh can read (PKCS#8 PEM, or OpenSSH's format from ssh-keygen): ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  const type = sshKeyType(privateKey);
  if (type === 'ssh-rsa' && keyBits(privateKey) < MIN_RSA_BITS) {
    throw new SecurityError(
      'KEY_INVALID',
      `${source} is a ${keyBits(privateKey)}-bit RSA key; framesh needs at least ${MIN_RSA_BITS} bits`,
    );
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, type, fingerprint: fingerprintOf(publicKey), comment };
}

/** Loads FILE, or makes it first when it does not exist. */
export function loadOrCreateKey(file: string, comment?: string): { pair: KeyPair; created: boolean } {
  if (existsSync(file)) return { pair: loadPrivateKey(file), created: false };
  return { pair: generateKeyFiles(file, comment), created: true };
}

export interface KeyDescription {
  readonly fingerprint: string;
  readonly comment: string;
  readonly type: SshKeyType;
  readonly bits: number;
}

/**
 * Fingerprint of a public (.pub / authorized_keys line) or private key file. An encrypted private
 * key is described from FILE.pub when that exists, as ssh-keygen -l does.
 */
export function fingerprintOfFile(file: string, passphrase?: string | Buffer): KeyDescription {
  const text = readFileSync(file, 'utf8');
  if (text.includes('PRIVATE KEY')) {
    try {
      const pair = loadPrivateKey(file, passphrase);
      return { fingerprint: pair.fingerprint, comment: pair.comment, type: pair.type, bits: keyBits(pair.publicKey) };
    } catch (err) {
      if (!(err instanceof KeyPassphraseError) || !existsSync(`${file}.pub`)) throw err;
      return fingerprintOfFile(`${file}.pub`);
    }
  }
  const line = text
    .split('\n')
    .map(parsePublicKeyLine)
    .find((l) => l !== null);
  if (!line) throw new SecurityError('KEY_INVALID', `${file} holds no public key`);
  return { fingerprint: line.fingerprint, comment: line.comment, type: line.type, bits: keyBits(line.key) };
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
