import type { TLSSocket } from 'node:tls';
import type { AuthMessage } from '../protocol/messages.js';
import { signAuth } from '../security/auth-proof.js';
import type { KeyPair } from '../security/key-files.js';
import { formatSshPublicKey } from '../security/public-key-format.js';

/** The client's key, able to make the §10 proof for one TLS session. */
export class ClientIdentity {
  readonly pair: KeyPair;

  constructor(pair: KeyPair) {
    this.pair = pair;
  }

  authMessage(socket: TLSSocket): AuthMessage {
    const publicKey = formatSshPublicKey(this.pair.publicKey, this.pair.comment);
    return { type: 'auth', method: 'ed25519', publicKey, signature: signAuth(socket, publicKey, this.pair.privateKey) };
  }
}
