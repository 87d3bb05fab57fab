import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CLI_ARGS, CLI_ENTRY } from '../helpers/cli.js';
import { startSecureServer } from '../helpers/secure.js';
import { hasTmux, TmuxTerminal } from '../helpers/tmux-terminal.js';
import { hasOpenSsh, sshKeygen } from '../helpers/ssh-tools.js';

const ROOT = path.resolve(path.dirname(CLI_ENTRY), '../..');

/** The first-contact question, answered at a real terminal (tmux), as a person meets it. */

describe(
  'first-contact host key prompt at a terminal',
  { skip: !hasTmux() && 'tmux is not installed', concurrency: 1 },
  () => {
    async function promptFor(
      flags: string[] = [],
    ): Promise<{ terminal: TmuxTerminal; knownHosts: string; fingerprint: string }> {
      const setup = await startSecureServer();
      const terminal = await TmuxTerminal.start(
        [process.execPath, ...CLI_ARGS, 'exec', ...flags, `127.0.0.1:${setup.port}`, '--', 'echo', 'remote-said-hi'],
        { FRAMESH_HOME: setup.clientHome },
        ROOT,
      );
      await terminal.waitFor(/continue connecting \(yes\/no\)\? $/m);
      const screen = await terminal.screen();
      assert.ok(screen.includes(setup.server.fingerprint as string), 'the prompt shows the fingerprint');
      return {
        terminal,
        knownHosts: path.join(setup.clientHome, 'known_hosts'),
        fingerprint: setup.server.fingerprint as string,
      };
    }

    it('"yes" connects, runs the command and remembers the host', async () => {
      const { terminal, knownHosts, fingerprint } = await promptFor();
      await terminal.type('yes');
      await terminal.press('Enter');
      await terminal.waitFor(/^remote-said-hi$/m);
      assert.equal(await terminal.exitStatus(), 0);
      assert.match(
        readFileSync(knownHosts, 'utf8'),
        new RegExp(`^127\\.0\\.0\\.1:\\d+ ${fingerprint.replace(/[+/]/g, '\\$&')}\\n$`),
      );
      terminal.kill();
    });

    it('"no" refuses with HOST_KEY_UNKNOWN and writes nothing', async () => {
      const { terminal, knownHosts } = await promptFor();
      await terminal.type('no');
      await terminal.press('Enter');
      assert.equal(await terminal.exitStatus(), 255);
      const screen = await terminal.screen();
      assert.match(screen, /can't be established/);
      assert.doesNotMatch(screen, /remote-said-hi|Permanently added/);
      assert.equal(existsSync(knownHosts), false);
      terminal.kill();
    });

    it('another word asks again; then "y" is enough', async () => {
      // -n: this test is about the question; stdin forwarding from a terminal is the other tests' part.
      const { terminal, knownHosts } = await promptFor(['-n']);
      await terminal.type('maybe');
      await terminal.press('Enter');
      await terminal.waitFor(/Please type "yes" or "no": $/m);
      await terminal.type('y');
      await terminal.press('Enter');
      await terminal.waitFor(/^remote-said-hi$/m);
      assert.equal(await terminal.exitStatus(), 0);
      assert.ok(existsSync(knownHosts));
      terminal.kill();
    });

    it('Ctrl-C at the prompt ends framesh by SIGINT and writes nothing', async () => {
      const { terminal, knownHosts } = await promptFor();
      await terminal.press('C-c');
      assert.equal(await terminal.exitStatus(), 130);
      assert.equal(existsSync(knownHosts), false);
      terminal.kill();
    });

    it('a "yes" given after the server gave up on the connection (auth grace) still connects', async () => {
      const setup = await startSecureServer({ authGraceMs: 3000 });
      const timedOut = new Promise<unknown>((resolve) =>
        setup.server.once('disconnect', (_remote: string, error: unknown) => resolve(error)),
      );
      const terminal = await TmuxTerminal.start(
        [
          process.execPath,
          ...CLI_ARGS,
          'exec',
          '--connect-timeout',
          '5000',
          `127.0.0.1:${setup.port}`,
          '--',
          'echo',
          'late-but-in',
        ],
        { FRAMESH_HOME: setup.clientHome },
        ROOT,
      );
      await terminal.waitFor(/continue connecting \(yes\/no\)\? $/m);
      // The person is still reading the fingerprint when the server's grace ends.
      assert.equal(((await timedOut) as { code?: string } | null)?.code, 'AUTH_TIMEOUT');
      await terminal.type('yes');
      await terminal.press('Enter');
      await terminal.waitFor(/^late-but-in$/m);
      assert.equal(await terminal.exitStatus(), 0);
      terminal.kill();
    });

    it('Ctrl-D (end of input) at the prompt refuses', async () => {
      const { terminal, knownHosts } = await promptFor();
      await terminal.press('C-d');
      assert.equal(await terminal.exitStatus(), 255);
      assert.equal(existsSync(knownHosts), false);
      terminal.kill();
    });
  },
);

/** A key's passphrase, typed at a real terminal: not echoed, retried, Ctrl-C leaves the terminal as it was. */
describe(
  'key passphrase prompt at a terminal',
  { skip: (!hasTmux() || !hasOpenSsh()) && 'tmux or openssh-client missing', concurrency: 1 },
  () => {
    async function passphrasePrompt(): Promise<TmuxTerminal> {
      const key = sshKeygen('ed25519', { passphrase: 'hunter2 two' });
      const setup = await startSecureServer({ authGraceMs: 30_000 });
      writeFileSync(setup.authorizedKeysFile, `${key.publicLine}\n`);
      // After framesh ends, the shell reports whether the terminal still echoes (stty), so a raw mode left behind shows.
      const script =
        `${shellWords([process.execPath, ...CLI_ARGS, 'exec', '--accept-new', '-i', key.file, `127.0.0.1:${setup.port}`, '--', 'echo', 'unlocked'])}; ` +
        'status=$?; stty -a | grep -q -- "-echo " && echo "echo=off" || echo "echo=on"; exit $status';
      const terminal = await TmuxTerminal.start(
        ['sh', '-c', script],
        { FRAMESH_HOME: setup.clientHome, SSH_AUTH_SOCK: '' },
        ROOT,
      );
      await terminal.waitFor(/Enter passphrase for key '.*id_ed25519': $/m);
      return terminal;
    }

    it('reads it without echo, asks again after a wrong one, then connects', async () => {
      const terminal = await passphrasePrompt();
      await terminal.type('wrong one');
      await terminal.press('Enter');
      await terminal.waitFor(/Bad passphrase, try again for .*: $/m);
      await terminal.type('hunter2 two');
      await terminal.press('Enter');
      const screen = await terminal.waitFor(/^echo=on$/m);
      assert.match(screen, /^unlocked$/m);
      assert.doesNotMatch(screen, /hunter2|wrong one/, 'the passphrase is never shown');
      assert.equal(await terminal.exitStatus(), 0);
      terminal.kill();
    });

    it('Ctrl-C at the passphrase prompt ends framesh by SIGINT and restores echo', async () => {
      const terminal = await passphrasePrompt();
      await terminal.type('hun');
      await terminal.press('C-c');
      const screen = await terminal.waitFor(/^echo=(on|off)$/m);
      assert.match(screen, /^echo=on$/m);
      assert.doesNotMatch(screen, /unlocked/);
      assert.equal(await terminal.exitStatus(), 130);
      terminal.kill();
    });
  },
);

function shellWords(words: readonly string[]): string {
  return words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
}
