import { askLine, hasTerminal } from './terminal-prompt.js';

/**
 * Asks a person, as ssh does on a first connection, whether to trust a server
 * key. Reads the answer from the terminal (/dev/tty), so piped stdin meant for
 * the remote command is left alone. Returns null when there is no terminal:
 * the caller then refuses and explains --accept-new / --fingerprint.
 */
export function terminalHostKeyPrompt(
  quiet = false,
): ((hostPort: string, fingerprint: string) => Promise<boolean>) | null {
  if (!process.stderr.isTTY || !hasTerminal()) return null;
  return async (hostPort, fingerprint) => {
    let question =
      `The authenticity of ${hostPort} can't be established.\nIts key fingerprint is ${fingerprint}.\n` +
      'Are you sure you want to continue connecting (yes/no)? ';
    for (;;) {
      const answer = await askLine(question);
      if (answer === null) return false;
      const word = answer.trim().toLowerCase();
      if (word === 'yes' || word === 'y') {
        if (!quiet)
          process.stderr.write(`Permanently added ${hostPort} (${fingerprint}) to the list of known hosts.\n`);
        return true;
      }
      if (word === 'no' || word === 'n') return false;
      // ssh asks again rather than guessing what another word meant.
      question = 'Please type "yes" or "no": ';
    }
  };
}
