import { createHash } from 'node:crypto';
import { SecurityError } from '../errors.js';

/** The OpenSSH public key types framesh reads from authorized_keys (the line's type word). */
export const SSH_KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
] as const;
export type SshKeyType = (typeof SSH_KEY_TYPES)[number];

/** A public key as the SSH wire blob, checked for shape but not yet turned into a crypto key. */
export interface SshKeyBlob {
  readonly type: SshKeyType;
  readonly blob: Buffer;
  /** `SHA256:` + unpadded base64 of SHA-256 over the blob: what `ssh-keygen -l` prints. */
  readonly fingerprint: string;
}

/** ECDSA curve names inside the blob, and the byte length of an uncompressed point on each. */
const ECDSA_POINT_BYTES: Readonly<Record<string, { curve: string; point: number }>> = {
  'ecdsa-sha2-nistp256': { curve: 'nistp256', point: 65 },
  'ecdsa-sha2-nistp384': { curve: 'nistp384', point: 97 },
  'ecdsa-sha2-nistp521': { curve: 'nistp521', point: 133 },
};

export function isSshKeyType(word: string): word is SshKeyType {
  return (SSH_KEY_TYPES as readonly string[]).includes(word);
}

export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Base64 as OpenSSH writes it: the standard alphabet, padded, nothing else. Node's decoder skips
 * characters it does not know, which would let garbage pass for a key.
 */
export function strictBase64(text: string): Buffer | null {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

/**
 * Checks that `blob` is a well-formed SSH public key of `type` (RFC 4253 §6.6, RFC 5656 §3.1,
 * RFC 8709 §4): its leading string repeats the type, and its fields have the sizes the type has.
 * Throws KEY_INVALID otherwise.
 */
export function checkSshKeyBlob(type: SshKeyType, blob: Buffer): SshKeyBlob {
  const reader = new WireReader(blob, type);
  const inner = reader.string().toString('latin1');
  if (inner !== type)
    throw new SecurityError('KEY_INVALID', `the key data says ${JSON.stringify(inner.slice(0, 40))}, not ${type}`);
  if (type === 'ssh-ed25519') {
    if (reader.string().length !== 32) throw new SecurityError('KEY_INVALID', 'an ssh-ed25519 key has 32 bytes');
  } else if (type === 'ssh-rsa') {
    const exponent = reader.string();
    const modulus = reader.string();
    if (exponent.length === 0 || modulus.length < 64)
      throw new SecurityError('KEY_INVALID', 'an ssh-rsa key needs an exponent and a modulus of 512 bits or more');
  } else {
    const expected = ECDSA_POINT_BYTES[type] as { curve: string; point: number };
    if (reader.string().toString('latin1') !== expected.curve)
      throw new SecurityError('KEY_INVALID', `${type} key data names another curve`);
    const point = reader.string();
    if (point.length !== expected.point || point[0] !== 0x04)
      throw new SecurityError('KEY_INVALID', `${type} key data holds no uncompressed point`);
  }
  reader.end();
  return { type, blob, fingerprint: sshFingerprint(blob) };
}

/** Reads SSH `string` fields (uint32 length + bytes), refusing anything that runs past the end. */
class WireReader {
  private at = 0;
  constructor(
    private readonly bytes: Buffer,
    private readonly type: string,
  ) {}

  string(): Buffer {
    if (this.at + 4 > this.bytes.length) throw this.short();
    const length = this.bytes.readUInt32BE(this.at);
    if (this.at + 4 + length > this.bytes.length) throw this.short();
    const value = this.bytes.subarray(this.at + 4, this.at + 4 + length);
    this.at += 4 + length;
    return value;
  }

  end(): void {
    if (this.at !== this.bytes.length)
      throw new SecurityError('KEY_INVALID', `${this.type} key data has ${this.bytes.length - this.at} bytes too many`);
  }

  private short(): SecurityError {
    return new SecurityError('KEY_INVALID', `${this.type} key data is cut short`);
  }
}
