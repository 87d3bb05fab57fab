import { Command } from './commander.js';
import { exitStatusHelp } from './exit-status.js';
import type { KeygenFlags } from './keygen-run.js';

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
      // Loaded only now, so `--help` and the other commands start without the key code.
      const { runKeygen } = await import('./keygen-run.js');
      process.exitCode = await runKeygen(flags);
    });
}
