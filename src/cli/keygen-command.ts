import { Command } from 'commander';
import { ensureHome, homeFile, resolveHome } from '../security/framesh-home.js';
import { fingerprintOfFile, generateKeyFiles } from '../security/key-files.js';
import { describeError, exitStatusHelp } from './exit-status.js';

interface KeygenFlags {
  file?: string;
  comment?: string;
  list?: boolean;
}

export function keygenCommand(): Command {
  return new Command('keygen')
    .description('make an Ed25519 key pair, or print a key fingerprint (-l)')
    .option('-f, --file <file>', 'key file (default $FRAMESH_HOME/id_ed25519; the public key goes to FILE.pub)')
    .option('-C, --comment <text>', 'comment stored with the public key (default user@host)')
    .option('-l, --list', 'print the fingerprint of the key in -f (public or private)')
    .addHelpText('after', exitStatusHelp([['1', 'the key could not be made or read (the message ends with its code)']]))
    .action((flags: KeygenFlags) => {
      process.exitCode = runKeygen(flags);
    });
}

function runKeygen(flags: KeygenFlags): number {
  try {
    const file = flags.file ?? homeFile(ensureHome(resolveHome()), 'id_ed25519');
    if (flags.list) {
      const { fingerprint, comment } = fingerprintOfFile(file);
      process.stdout.write(`256 ${fingerprint} ${comment || '(no comment)'} (ED25519)\n`);
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
