import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { ssh2 } from './ssh2-library.js';
import { SecurityError } from '../errors.js';
import { checkSshKeyBlob, SSH_KEY_TYPES, type SshKeyType } from './ssh-key-blob.js';

// One list of key types (authorized_keys lines and client keys alike, PROTOCOL.md §10.2).
export { SSH_KEY_TYPES, type SshKeyType };

const SSH_ED25519 = 'ssh-ed25519';
/** framesh's own public key line: `framesh-ed25519 BASE64(32 raw key bytes) [comment]`. */
export const FRAMESH_ED25519 = 'framesh-ed25519';

const CURVES: Readonly<Record<string, { type: SshKeyType; crv: string; name: string }>> = {
  prime256v1: { type: 'ecdsa-sha2-nistp256', crv: 'P-256', name: 'nistp256' },
  secp384r1: { type: 'ecdsa-sha2-nistp384', crv: 'P-384', name: 'nistp384' },
  secp521r1: { type: 'ecdsa-sha2-nistp521', crv: 'P-521', name: 'nistp521' },
};

export interface PublicKeyLine {
  readonly key: KeyObject;
  readonly type: SshKeyType;
  /** The SSH wire encoding of the key (RFC 4253 §6.6), what fingerprints and agents use. */
  readonly blob: Buffer;
  readonly comment: string;
  /** `SHA256:` + unpadded base64, equal to what `ssh-keygen -l` prints for the same key. */
  readonly fingerprint: string;
}

/** The 32 raw bytes of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'ed25519')
    throw new SecurityError('KEY_INVALID', `expected an Ed25519 key, got ${key.asymmetricKeyType}`);
  const jwk = key.export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url');
}

export function publicKeyFromRaw(raw: Buffer): KeyObject {
  if (raw.length !== 32)
    throw new SecurityError('KEY_INVALID', `an Ed25519 public key has 32 bytes, not ${raw.length}`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/** The SSH key type of a Node key (public or private), or a KEY_INVALID error for other kinds. */
export function sshKeyType(key: KeyObject): SshKeyType {
  if (key.asymmetricKeyType === 'ed25519') return SSH_ED25519;
  if (key.asymmetricKeyType === 'rsa') return 'ssh-rsa';
  if (key.asymmetricKeyType === 'ec') {
    const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (curve) return curve.type;
  }
  const detail = key.asymmetricKeyDetails?.namedCurve ? ` (${key.asymmetricKeyDetails.namedCurve})` : '';
  throw new SecurityError(
    'KEY_INVALID',
    `${key.asymmetricKeyType}${detail} keys are not supported; use Ed25519, RSA or ECDSA P-256/384/521`,
  );
}

function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** RFC 4251 §5 mpint: big-endian two's complement, no needless leading zeros, a zero byte before a set top bit. */
export function sshMpint(unsigned: Buffer): Buffer {
  let start = 0;
  while (start < unsigned.length && unsigned[start] === 0) start++;
  const digits = unsigned.subarray(start);
  return sshString(
    digits.length > 0 && (digits[0] as number) & 0x80 ? Buffer.concat([Buffer.alloc(1), digits]) : digits,
  );
}

/** The SSH wire blob of a key: RFC 8709 §4 (Ed25519), RFC 4253 §6.6 (RSA), RFC 5656 §3.1 (ECDSA). */
export function sshBlob(key: KeyObject): Buffer {
  const type = sshKeyType(key);
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = publicKey.export({ format: 'jwk' });
  const b64 = (value: unknown): Buffer => Buffer.from(value as string, 'base64url');
  if (type === SSH_ED25519) return Buffer.concat([sshString(type), sshString(b64(jwk.x))]);
  if (type === 'ssh-rsa') return Buffer.concat([sshString(type), sshMpint(b64(jwk.e)), sshMpint(b64(jwk.n))]);
  const curve = CURVES[publicKey.asymmetricKeyDetails?.namedCurve ?? ''] as { name: string };
  const point = Buffer.concat([Buffer.from([4]), b64(jwk.x), b64(jwk.y)]);
  return Buffer.concat([sshString(type), sshString(curve.name), sshString(point)]);
}

export function fingerprintOfBlob(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** OpenSSH's fingerprint form: SHA256 over the wire blob, base64 without padding. */
export function fingerprintOf(key: KeyObject): string {
  return fingerprintOfBlob(sshBlob(key));
}

/** `TYPE AAAA... comment`, usable in OpenSSH's authorized_keys too. */
export function formatSshPublicKey(key: KeyObject, comment = ''): string {
  const line = `${sshKeyType(key)} ${sshBlob(key).toString('base64')}`;
  return comment ? `${line} ${comment}` : line;
}

/** Key size in bits, as `ssh-keygen -l` prints it. */
export function keyBits(key: KeyObject): number {
  if (key.asymmetricKeyType === 'ed25519') return 256;
  if (key.asymmetricKeyType === 'rsa') return key.asymmetricKeyDetails?.modulusLength ?? 0;
  return { prime256v1: 256, secp384r1: 384, secp521r1: 521 }[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 0;
}

const ACCEPTED_WORDS = new Set<string>([...SSH_KEY_TYPES, FRAMESH_ED25519]);

/**
 * Parses one public key line in OpenSSH form (`[options] TYPE AAAA… [comment]`, TYPE one of
 * SSH_KEY_TYPES) or framesh form (`framesh-ed25519 BASE64 [comment]`). Returns null for blank
 * lines and comments; throws KEY_INVALID for a line it cannot use. The key data is decoded by
 * ssh2's parser, and must say the same type as the line.
 */
export function parsePublicKeyLine(line: string): PublicKeyLine | null {
  const text = line.trim();
  if (text.length === 0 || text.startsWith('#')) return null;
  const words = text.split(/\s+/);
  const at = words.findIndex((w) => ACCEPTED_WORDS.has(w));
  if (at < 0)
    throw new SecurityError(
      'KEY_INVALID',
      `not a supported public key line (Ed25519, RSA, ECDSA): ${text.slice(0, 40)}`,
    );
  const word = words[at] as string;
  const data = words[at + 1] ?? '';
  const comment = words.slice(at + 2).join(' ');
  if (word === FRAMESH_ED25519) {
    const key = publicKeyFromRaw(Buffer.from(data, 'base64'));
    return { key, type: SSH_ED25519, blob: sshBlob(key), comment, fingerprint: fingerprintOf(key) };
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data)) throw new SecurityError('KEY_INVALID', `${word} key data is not base64`);
  if (word === SSH_ED25519) return parseEd25519Line(Buffer.from(data, 'base64'), comment);
  const parsed = ssh2().utils.parseKey(`${word} ${data}`);
  if (parsed instanceof Error || Array.isArray(parsed)) {
    throw new SecurityError(
      'KEY_INVALID',
      `${word} key data is malformed: ${parsed instanceof Error ? parsed.message : 'several keys'}`,
    );
  }
  if (parsed.type !== word) throw new SecurityError('KEY_INVALID', `key data says ${parsed.type}, not ${word}`);
  let key: KeyObject;
  try {
    key = createPublicKey(parsed.getPublicPEM());
  } catch (err) {
    throw new SecurityError('KEY_INVALID', `${word} key data is not a usable key: ${(err as Error).message}`, {
      cause: err,
    });
  }
  // Re-encode and compare, so a line is accepted only in its one canonical form (trailing bytes, padded integers).
  const blob = sshBlob(key);
  if (!blob.equals(Buffer.from(data, 'base64')))
    throw new SecurityError('KEY_INVALID', `${word} key data is not in canonical form`);
  return { key, type: word as SshKeyType, blob, comment, fingerprint: fingerprintOfBlob(blob) };
}

/**
 * An ssh-ed25519 line's key data, read without ssh2: its blob is just the type and 32 key bytes
 * (RFC 8709 §4), and loading ssh2 costs a CLI start (reading id_ed25519.pub) tens of milliseconds.
 * checkSshKeyBlob refuses another type, another key length and trailing bytes, as ssh2 and the
 * canonical-form check do for the other types.
 */
function parseEd25519Line(bytes: Buffer, comment: string): PublicKeyLine {
  checkSshKeyBlob(SSH_ED25519, bytes);
  const key = publicKeyFromRaw(bytes.subarray(bytes.length - 32));
  const blob = sshBlob(key);
  if (!blob.equals(bytes)) throw new SecurityError('KEY_INVALID', `${SSH_ED25519} key data is not in canonical form`);
  return { key, type: SSH_ED25519, blob, comment, fingerprint: fingerprintOfBlob(blob) };
}
