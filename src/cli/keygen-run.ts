import { ensureHome, homeFile, resolveHome } from '../security/framesh-home.js';
import { KeyPassphraseError } from '../security/key-errors.js';
import { fingerprintOfFile, generateKeyFiles, loadPrivateKey, type KeyPair } from '../security/key-files.js';
import { KnownHosts } from '../security/known-hosts.js';
import { formatSshPublicKey } from '../security/public-key-format.js';
import { describeError } from './exit-status.js';
import { cliPassphraseAsker } from './passphrase-prompt.js';

export interface KeygenFlags {
  file?: string;
  comment?: string;
  list?: boolean;
  publicKey?: boolean;
  remove?: string;
}

const TYPE_NAMES: Readonly<Record<string, string>> = { 'ssh-ed25519': 'ED25519', 'ssh-rsa': 'RSA' };

/** `framesh keygen`'s work, once its flags are parsed; the exit status. */
export async function runKeygen(flags: KeygenFlags): Promise<number> {
  try {
    if (flags.remove !== undefined) return forgetHost(flags.remove, flags.file);
    const file = flags.file ?? homeFile(ensureHome(resolveHome()), 'id_ed25519');
    if (flags.list) {
      const { fingerprint, comment, type, bits } = fingerprintOfFile(file);
      process.stdout.write(`${bits} ${fingerprint} ${comment || '(no comment)'} (${TYPE_NAMES[type] ?? 'ECDSA'})\n`);
      return 0;
    }
    if (flags.publicKey) {
      const pair = await loadAsking(file);
      process.stdout.write(`${formatSshPublicKey(pair.publicKey, pair.comment)}\n`);
      return 0;
    }
    const pair = generateKeyFiles(file, flags.comment);
    process.stdout.write(
      `Your private key: ${file}\nYour public key:  ${file}.pub\nFingerprint: ${pair.fingerprint} ${pair.comment}\n` +
        `To allow this key on a server, append ${file}.pub to the server's $FRAMESH_HOME/authorized_keys.\n`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    return 1;
  }
}

/** A private key, asking its passphrase (terminal or FRAMESH_ASKPASS) up to three times, as ssh-keygen -y does. */
async function loadAsking(file: string): Promise<KeyPair> {
  const ask = cliPassphraseAsker();
  let passphrase: string | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return loadPrivateKey(file, passphrase);
    } catch (err) {
      if (!(err instanceof KeyPassphraseError) || !ask || attempt > 3) throw err;
      const answer = await ask(file, attempt);
      if (answer === null) throw err;
      passphrase = answer;
    }
  }
}

function forgetHost(host: string, file: string | undefined): number {
  const knownHosts = new KnownHosts(file ?? homeFile(resolveHome(), 'known_hosts'));
  const removed = knownHosts.remove(host);
  if (removed.length === 0) {
    process.stderr.write(`${host} is not in ${knownHosts.file}\n`);
    return 0;
  }
  for (const line of removed) process.stdout.write(`# Host ${host} found: line ${line}\n`);
  process.stdout.write(`${knownHosts.file} updated.\n`);
  return 0;
}
