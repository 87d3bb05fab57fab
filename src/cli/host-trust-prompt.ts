import { createReadStream } from 'node:fs';
import readline from 'node:readline';

/**
 * Asks a person, as ssh does on a first connection, whether to trust a server
 * key. Reads the answer from the terminal (/dev/tty), so piped stdin meant for
 * the remote command is left alone. Returns null when there is no terminal:
 * the caller then refuses and explains --accept-new / --fingerprint.
 */
export function terminalHostKeyPrompt(): ((hostPort: string, fingerprint: string) => Promise<boolean>) | null {
  if (!process.stderr.isTTY || process.env.CI) return null;
  return (hostPort, fingerprint) =>
    new Promise((resolve) => {
      let input: NodeJS.ReadableStream;
      try {
        input = createReadStream('/dev/tty');
      } catch {
        resolve(false);
        return;
      }
      const rl = readline.createInterface({ input, output: process.stderr, terminal: false });
      process.stderr.write(
        `The authenticity of ${hostPort} can't be established.\nIts key fingerprint is ${fingerprint}.\n` +
          'Are you sure you want to continue connecting (yes/no)? ',
      );
      rl.once('line', (answer) => {
        rl.close();
        (input as unknown as { destroy(): void }).destroy();
        const yes = /^y(es)?$/i.test(answer.trim());
        if (yes) process.stderr.write(`Permanently added ${hostPort} (${fingerprint}) to the list of known hosts.\n`);
        resolve(yes);
      });
      rl.once('close', () => resolve(false));
    });
}
