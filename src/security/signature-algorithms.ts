import { sign, verify, type KeyObject } from 'node:crypto';
import { sshMpint, sshKeyType, type SshKeyType } from './public-key-format.js';

/**
 * The signature algorithms of the §10 proof (PROTOCOL.md §10.2), named as SSH names them, and the
 * signature bytes each uses on the wire — the same bytes an ssh-agent returns inside its signature
 * blob, so agent and file keys produce identical proofs:
 * - ssh-ed25519: the 64-byte RFC 8032 signature;
 * - rsa-sha2-256 / rsa-sha2-512: the RSASSA-PKCS1-v1_5 signature (RFC 8332), modulus-sized;
 * - ecdsa-sha2-nistp256/384/521: `mpint r, mpint s` (RFC 5656 §3.1.2).
 */
export const SIGNATURE_ALGORITHMS = {
  'ssh-ed25519': { keyType: 'ssh-ed25519', hash: null, fieldBytes: 0 },
  'rsa-sha2-256': { keyType: 'ssh-rsa', hash: 'sha256', fieldBytes: 0 },
  'rsa-sha2-512': { keyType: 'ssh-rsa', hash: 'sha512', fieldBytes: 0 },
  'ecdsa-sha2-nistp256': { keyType: 'ecdsa-sha2-nistp256', hash: 'sha256', fieldBytes: 32 },
  'ecdsa-sha2-nistp384': { keyType: 'ecdsa-sha2-nistp384', hash: 'sha384', fieldBytes: 48 },
  'ecdsa-sha2-nistp521': { keyType: 'ecdsa-sha2-nistp521', hash: 'sha512', fieldBytes: 66 },
} as const satisfies Record<string, { keyType: SshKeyType; hash: string | null; fieldBytes: number }>;
export type SignatureAlgorithm = keyof typeof SIGNATURE_ALGORITHMS;

/** RSA keys shorter than this are refused, as OpenSSH's RequiredRSASize does (it uses 1024; framesh is stricter). */
export const MIN_RSA_BITS = 2048;

export function isSignatureAlgorithm(name: unknown): name is SignatureAlgorithm {
  return typeof name === 'string' && Object.hasOwn(SIGNATURE_ALGORITHMS, name);
}

/** What a client signs with for a key type: the type's own algorithm; RSA uses SHA-512, as OpenSSH prefers. */
export function defaultAlgorithm(keyType: SshKeyType): SignatureAlgorithm {
  return keyType === 'ssh-rsa' ? 'rsa-sha2-512' : keyType;
}

/** Signs with a private key held in this process; returns the wire signature bytes of `alg`. */
export function signWith(alg: SignatureAlgorithm, privateKey: KeyObject, data: Buffer): Buffer {
  const spec = SIGNATURE_ALGORITHMS[alg];
  if (sshKeyType(privateKey) !== spec.keyType) throw new Error(`${alg} needs a ${spec.keyType} key`);
  if (spec.fieldBytes === 0) return sign(spec.hash, data, privateKey);
  const rs = sign(spec.hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return Buffer.concat([sshMpint(rs.subarray(0, spec.fieldBytes)), sshMpint(rs.subarray(spec.fieldBytes))]);
}

/**
 * Verifies a wire signature of `alg` by `publicKey` over `data`. False for a key of another type,
 * an RSA key under MIN_RSA_BITS, or bytes that do not decode — never throws on hostile input.
 */
export function verifyWith(alg: SignatureAlgorithm, publicKey: KeyObject, data: Buffer, signature: Buffer): boolean {
  const spec = SIGNATURE_ALGORITHMS[alg];
  try {
    if (sshKeyType(publicKey) !== spec.keyType) return false;
    if (spec.keyType === 'ssh-rsa' && (publicKey.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) return false;
    if (spec.fieldBytes === 0) return verify(spec.hash, data, publicKey, signature);
    const rs = ecdsaWireToP1363(signature, spec.fieldBytes);
    return rs !== null && verify(spec.hash, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, rs);
  } catch {
    return false;
  }
}

/** `mpint r, mpint s` → r||s, each left-padded to the field size; null when malformed or trailing bytes follow. */
function ecdsaWireToP1363(wire: Buffer, fieldBytes: number): Buffer | null {
  const out = Buffer.alloc(fieldBytes * 2);
  let offset = 0;
  for (let i = 0; i < 2; i++) {
    if (offset + 4 > wire.length) return null;
    const length = wire.readUInt32BE(offset);
    offset += 4;
    if (length > fieldBytes + 1 || offset + length > wire.length) return null;
    let value = wire.subarray(offset, offset + length);
    offset += length;
    if (value.length > 0 && (value[0] as number) & 0x80) return null; // negative: not a valid r or s
    if (value.length === fieldBytes + 1) {
      if (value[0] !== 0) return null;
      value = value.subarray(1);
    }
    value.copy(out, i * fieldBytes + (fieldBytes - value.length));
  }
  return offset === wire.length ? out : null;
}
