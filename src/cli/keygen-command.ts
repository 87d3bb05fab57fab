import { Command } from 'commander';
import { ensureHome, homeFile, resolveHome } from '../security/framesh-home.js';
import { KeyPassphraseError } from '../security/key-errors.js';
import { fingerprintOfFile, generateKeyFiles, loadPrivateKey, type KeyPair } from '../security/key-files.js';
import { KnownHosts } from '../security/known-hosts.js';
import { formatSshPublicKey } from '../security/public-key-format.js';
import { describeError, exitStatusHelp } from './exit-status.js';
import { cliPassphraseAsker } from './passphrase-prompt.js';

interface KeygenFlags {
  file?: string;
  comment?: string;
  list?: boolean;
  publicKey?: boolean;
  remove?: string;
}

export function keygenCommand(): Command {
  return new Command('keygen')
    .description('make an Ed25519 key pair; or print a fingerprint (-l), a public key (-y), or forget a host (-R)')
    .option('-f, --file <file>', 'key file (default $FRAMESH_HOME/id_ed25519; the public key goes to FILE.pub)')
    .option('-C, --comment <text>', 'comment stored with the public key (default user@host)')
    .option('-l, --list', 'print the fingerprint of the key in -f (public or private)')
    .option('-y, --public-key', 'print the public key of the private key in -f (asks its passphrase if it has one)')
    .option(
      '-R, --remove <host>',
      'forget HOST (every port) or HOST:PORT in known_hosts (-f names another known_hosts)',
    )
    .addHelpText('after', '\nKeys made by ssh-keygen work as they are: framesh exec -i ~/.ssh/id_ed25519 HOST -- CMD')
    .addHelpText('after', exitStatusHelp([['1', 'the key could not be made or read (the message ends with its code)']]))
    .action(async (flags: KeygenFlags) => {
      process.exitCode = await runKeygen(flags);
    });
}

const TYPE_NAMES: Readonly<Record<string, string>> = { 'ssh-ed25519': 'ED25519', 'ssh-rsa': 'RSA' };

async function runKeygen(flags: KeygenFlags): Promise<number> {
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
