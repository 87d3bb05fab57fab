import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { SecurityError } from '../errors.js';

const SSH_ED25519 = 'ssh-ed25519';
/** framesh's own public key line: `framesh-ed25519 BASE64(32 raw key bytes) [comment]`. */
export const FRAMESH_ED25519 = 'framesh-ed25519';

export interface PublicKeyLine {
  readonly key: KeyObject;
  readonly comment: string;
  /** `SHA256:` + unpadded base64, equal to what `ssh-keygen -l` prints for the same key. */
  readonly fingerprint: string;
}

/** The 32 raw bytes of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'ed25519') throw new SecurityError('KEY_INVALID', `expected an Ed25519 key, got ${key.asymmetricKeyType}`);
  const jwk = key.export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url');
}

export function publicKeyFromRaw(raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new SecurityError('KEY_INVALID', `an Ed25519 public key has 32 bytes, not ${raw.length}`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/** The SSH wire blob: string "ssh-ed25519", string key (RFC 8709 §4). */
export function sshBlob(key: KeyObject): Buffer {
  const raw = rawPublicKey(key);
  const type = Buffer.from(SSH_ED25519);
  const blob = Buffer.alloc(4 + type.length + 4 + raw.length);
  blob.writeUInt32BE(type.length, 0);
  type.copy(blob, 4);
  blob.writeUInt32BE(raw.length, 4 + type.length);
  raw.copy(blob, 8 + type.length);
  return blob;
}

/** OpenSSH's fingerprint form: SHA256 over the wire blob, base64 without padding. */
export function fingerprintOf(key: KeyObject): string {
  return `SHA256:${createHash('sha256').update(sshBlob(key)).digest('base64').replace(/=+$/, '')}`;
}

/** `ssh-ed25519 AAAA... comment`, usable in OpenSSH's authorized_keys too. */
export function formatSshPublicKey(key: KeyObject, comment = ''): string {
  const line = `${SSH_ED25519} ${sshBlob(key).toString('base64')}`;
  return comment ? `${line} ${comment}` : line;
}

/**
 * Parses one public key line in OpenSSH form (`[options] ssh-ed25519 AAAA… [comment]`)
 * or framesh form (`framesh-ed25519 BASE64 [comment]`). Returns null for blank
 * lines and comments; throws KEY_INVALID for a line it cannot use.
 */
export function parsePublicKeyLine(line: string): PublicKeyLine | null {
  const text = line.trim();
  if (text.length === 0 || text.startsWith('#')) return null;
  const words = text.split(/\s+/);
  const at = words.findIndex((w) => w === SSH_ED25519 || w === FRAMESH_ED25519);
  if (at < 0) throw new SecurityError('KEY_INVALID', `not an Ed25519 public key line: ${text.slice(0, 40)}`);
  const type = words[at] as string;
  const data = Buffer.from(words[at + 1] ?? '', 'base64');
  const key = type === SSH_ED25519 ? publicKeyFromBlob(data) : publicKeyFromRaw(data);
  return { key, comment: words.slice(at + 2).join(' '), fingerprint: fingerprintOf(key) };
}

function publicKeyFromBlob(blob: Buffer): KeyObject {
  if (blob.length < 8) throw new SecurityError('KEY_INVALID', 'ssh-ed25519 key data is too short');
  const typeLength = blob.readUInt32BE(0);
  const type = blob.subarray(4, 4 + typeLength).toString();
  if (type !== SSH_ED25519) throw new SecurityError('KEY_INVALID', `key data says ${type}, not ssh-ed25519`);
  const keyLength = blob.readUInt32BE(4 + typeLength);
  return publicKeyFromRaw(blob.subarray(8 + typeLength, 8 + typeLength + keyLength));
}
