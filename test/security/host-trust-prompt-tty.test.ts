import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CLI_ENTRY } from '../helpers/cli.js';
import { startSecureServer } from '../helpers/secure.js';
import { hasTmux, TmuxTerminal } from '../helpers/tmux-terminal.js';

const ROOT = path.resolve(path.dirname(CLI_ENTRY), '../..');

/** The first-contact question, answered at a real terminal (tmux), as a person meets it. */
describe('first-contact host key prompt at a terminal', { skip: !hasTmux() && 'tmux is not installed', concurrency: 3 }, () => {
  async function promptFor(): Promise<{ terminal: TmuxTerminal; knownHosts: string; fingerprint: string }> {
    const setup = await startSecureServer();
    const terminal = await TmuxTerminal.start(
      [process.execPath, '--import', 'tsx', CLI_ENTRY, 'exec', `127.0.0.1:${setup.port}`, '--', 'echo', 'remote-said-hi'],
      { FRAMESH_HOME: setup.clientHome },
      ROOT,
    );
    await terminal.waitFor(/continue connecting \(yes\/no\)\? $/m);
    const screen = await terminal.screen();
    assert.ok(screen.includes(setup.server.fingerprint as string), 'the prompt shows the fingerprint');
    return { terminal, knownHosts: path.join(setup.clientHome, 'known_hosts'), fingerprint: setup.server.fingerprint as string };
  }

  it('"yes" connects, runs the command and remembers the host', async () => {
    const { terminal, knownHosts, fingerprint } = await promptFor();
    await terminal.type('yes');
    await terminal.press('Enter');
    await terminal.waitFor(/^remote-said-hi$/m);
    assert.equal(await terminal.exitStatus(), 0);
    assert.match(readFileSync(knownHosts, 'utf8'), new RegExp(`^127\\.0\\.0\\.1:\\d+ ${fingerprint.replace(/[+/]/g, '\\$&')}\\n$`));
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
    const { terminal, knownHosts } = await promptFor();
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

  it('Ctrl-D (end of input) at the prompt refuses', async () => {
    const { terminal, knownHosts } = await promptFor();
    await terminal.press('C-d');
    assert.equal(await terminal.exitStatus(), 255);
    assert.equal(existsSync(knownHosts), false);
    terminal.kill();
  });
});
