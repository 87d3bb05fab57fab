import { execFile } from 'node:child_process';
import { askSecret, hasTerminal } from './terminal-prompt.js';

/** Longest passphrase read from an askpass program; more is a broken program, not a passphrase. */
const MAX_ASKPASS_BYTES = 64 * 1024;

/**
 * How the CLI asks for a key's passphrase, as ssh does: the program named by FRAMESH_ASKPASS (it gets
 * the prompt as its argument and prints the passphrase; like SSH_ASKPASS, for scripts and desktops),
 * else the terminal without echo. Undefined when neither is there: an encrypted key then fails
 * with KEY_PASSPHRASE and says how to give the passphrase.
 */
export function cliPassphraseAsker(
  env: NodeJS.ProcessEnv = process.env,
): ((file: string, attempt: number) => Promise<string | null>) | undefined {
  const askpass = env.FRAMESH_ASKPASS;
  if (askpass) return (file, attempt) => runAskpass(askpass, promptFor(file, attempt));
  if (!hasTerminal()) return undefined;
  return (file, attempt) => askSecret(promptFor(file, attempt));
}

function promptFor(file: string, attempt: number): string {
  return attempt > 1 ? `Bad passphrase, try again for ${file}: ` : `Enter passphrase for key '${file}': `;
}

function runAskpass(program: string, prompt: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(program, [prompt], { maxBuffer: MAX_ASKPASS_BYTES, encoding: 'utf8' }, (err, stdout) => {
      // A failed or cancelled askpass means "no passphrase", as with ssh.
      if (err) return resolve(null);
      resolve(stdout.replace(/\r?\n$/, ''));
    });
  });
}
