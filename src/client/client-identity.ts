import type { AuthMessage } from '../protocol/messages.js';
import { authPayload } from '../security/auth-proof.js';
import type { KeyPair } from '../security/key-files.js';
import { formatSshPublicKey, type SshKeyType } from '../security/public-key-format.js';
import { defaultAlgorithm, signWith, type SignatureAlgorithm } from '../security/signature-algorithms.js';
import { SecurityError } from '../errors.js';

/** Something that holds a private key and can sign with it: a key in memory, or one in an ssh-agent. */
export interface ProofSigner {
  readonly type: SshKeyType;
  readonly fingerprint: string;
  /** The public key as an OpenSSH line, with its comment. */
  readonly publicKeyLine: string;
  /** Where the key lives, for -v and messages: "key file ~/.ssh/id_ed25519", "ssh-agent". */
  readonly source: string;
  /** The §10.2 wire signature bytes of `alg` over `data`. */
  sign(alg: SignatureAlgorithm, data: Buffer): Promise<Buffer>;
}

/** A private key loaded into this process. */
export function keyPairSigner(pair: KeyPair, source: string): ProofSigner {
  return {
    type: pair.type,
    fingerprint: pair.fingerprint,
    publicKeyLine: formatSshPublicKey(pair.publicKey, pair.comment),
    source,
    sign: async (alg, data) => signWith(alg, pair.privateKey, data),
  };
}

/** The client's key, able to make the §10.2 proof for one TLS session. */
export class ClientIdentity {
  readonly signer: ProofSigner;

  constructor(signer: ProofSigner) {
    this.signer = signer;
  }

  /** The algorithm the proof will state (RSA keys sign with SHA-512). */
  get algorithm(): SignatureAlgorithm {
    return defaultAlgorithm(this.signer.type);
  }

  /**
   * The auth message for a session with this exporter value. A server that does not offer
   * "auth-publickey" knows only the first form (method "ed25519"), so only Ed25519 keys work there.
   */
  async authMessage(exporterValue: Buffer, serverCapabilities: readonly string[]): Promise<AuthMessage> {
    const publicKey = this.signer.publicKeyLine;
    if (!serverCapabilities.includes('auth-publickey')) {
      if (this.signer.type !== 'ssh-ed25519') {
        throw new SecurityError(
          'AUTH_FAILED',
          `this server accepts only Ed25519 keys, and ${this.signer.source} is ${this.signer.type}`,
        );
      }
      const signature = await this.signer.sign('ssh-ed25519', authPayload(exporterValue, publicKey, null));
      return { type: 'auth', method: 'ed25519', publicKey, signature: signature.toString('base64') };
    }
    const alg = this.algorithm;
    const signature = await this.signer.sign(alg, authPayload(exporterValue, publicKey, alg));
    return { type: 'auth', method: 'publickey', alg, publicKey, signature: signature.toString('base64') };
  }
}
