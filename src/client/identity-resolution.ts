import { existsSync, readFileSync } from 'node:fs';
import { FrameshError } from '../errors.js';
import { KeyMissingError, KeyPassphraseError } from '../security/key-errors.js';
import { loadPrivateKey, parsePrivateKey } from '../security/key-files.js';
import { parsePublicKeyLine } from '../security/public-key-format.js';
import { ClientIdentity, keyPairSigner, type ProofSigner } from './client-identity.js';

/** ssh asks three times for a passphrase before giving up. */
const PASSPHRASE_TRIES = 3;

export interface IdentityChoice {
  /** A private key's text (PEM or OpenSSH format), instead of a file. */
  readonly privateKey?: string | Buffer;
  /** Passphrase of an encrypted `privateKey` or key file. */
  readonly passphrase?: string | Buffer;
  /** A private key file; or a public key file (.pub) whose private half an ssh-agent holds. */
  readonly identityFile?: string;
  /** The default key file, used when neither of the above is given and it exists. */
  readonly defaultIdentityFile: string;
  /** The ssh-agent socket; false: use no agent. */
  readonly agent: string | false;
  /** Asked for a key file's passphrase (attempt 1..3); resolve null to give up. */
  readonly askPassphrase?: (file: string, attempt: number) => Promise<string | null>;
  readonly timeoutMs: number;
  readonly debug: (line: string) => void;
}

/**
 * Which key the proof is made with, in the order ssh users expect:
 * 1. `privateKey` given in memory;
 * 2. the key file (given, or the default if it exists) — an encrypted one is signed by the agent
 *    when the agent holds the same key, else its passphrase is asked (or `passphrase` used);
 * 3. with no key file at all: the first key the agent holds (Ed25519, RSA or ECDSA).
 */
export async function resolveIdentity(choice: IdentityChoice): Promise<ClientIdentity> {
  if (choice.privateKey !== undefined) {
    return new ClientIdentity(
      keyPairSigner(
        parsePrivateKey(choice.privateKey, 'the privateKey option', choice.passphrase),
        'the privateKey option',
      ),
    );
  }
  const file = choice.identityFile ?? (existsSync(choice.defaultIdentityFile) ? choice.defaultIdentityFile : null);
  if (file !== null) return new ClientIdentity(await fileSigner(file, choice));
  const agentKeys = await listAgent(choice);
  const first = agentKeys[0];
  if (first) {
    choice.debug(`no key file; using ${first.source} (${first.type} ${first.fingerprint})`);
    return new ClientIdentity(first);
  }
  throw new KeyMissingError(
    `no key: ${choice.defaultIdentityFile} does not exist${choice.agent ? ' and ssh-agent holds no key' : ''}; ` +
      'run `framesh keygen` to make one, or give one with -i',
  );
}

async function fileSigner(file: string, choice: IdentityChoice): Promise<ProofSigner> {
  const publicOnly = publicKeyFile(file);
  if (publicOnly) {
    const held = (await listAgent(choice)).find((key) => key.fingerprint === publicOnly);
    if (held) return held;
    throw new KeyMissingError(`${file} is a public key, and no ssh-agent holds its private key (${publicOnly})`);
  }
  let passphrase = choice.passphrase;
  for (let attempt = 1; ; attempt++) {
    try {
      const pair = loadPrivateKey(file, passphrase);
      choice.debug(`using key file ${file} (${pair.type} ${pair.fingerprint})`);
      return keyPairSigner(pair, `key file ${file}`);
    } catch (err) {
      if (!(err instanceof KeyPassphraseError)) throw err;
      if (attempt === 1) {
        const held = await agentHolding(file, choice);
        if (held) return held;
      }
      if (!choice.askPassphrase || attempt > PASSPHRASE_TRIES) throw err;
      const answer = await choice.askPassphrase(file, attempt);
      if (answer === null) throw err;
      passphrase = answer;
    }
  }
}

/** The agent's signer for the key in FILE.pub, when the agent holds it (so no passphrase is needed). */
async function agentHolding(file: string, choice: IdentityChoice): Promise<ProofSigner | null> {
  const fingerprint = publicKeyFile(`${file}.pub`);
  if (!fingerprint) return null;
  const held = (await listAgent(choice)).find((key) => key.fingerprint === fingerprint);
  if (held) choice.debug(`${file} is encrypted; ssh-agent holds the same key and signs for it`);
  return held ?? null;
}

/** The fingerprint of FILE when it holds a public key line (not a private key); else null. */
function publicKeyFile(file: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  if (text.includes('PRIVATE KEY')) return null;
  try {
    return (
      text
        .split('\n')
        .map(parsePublicKeyLine)
        .find((line) => line !== null)?.fingerprint ?? null
    );
  } catch {
    return null;
  }
}

async function listAgent(choice: IdentityChoice): Promise<ProofSigner[]> {
  if (!choice.agent) return [];
  try {
    // The agent client is loaded only when an agent is asked: a key file alone needs none of it.
    const { agentSigners } = await import('./agent-signer.js');
    const keys = await agentSigners(choice.agent, choice.timeoutMs);
    choice.debug(`ssh-agent at ${choice.agent} holds ${keys.length} usable key(s)`);
    return keys;
  } catch (err) {
    // An unreachable agent is not fatal while a key file may still do; say why under -v.
    choice.debug(`ssh-agent at ${choice.agent}: ${err instanceof FrameshError ? err.message : String(err)}`);
    return [];
  }
}
