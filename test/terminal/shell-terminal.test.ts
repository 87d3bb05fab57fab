import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServeProcess, type ServeProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { localStatusAndTerminal, terminalSession, quietHome } from './terminal-helpers.js';

/**
 * `framesh shell HOST` on a real terminal at both ends: the client runs in a tmux window (its stdin a
 * real tty), the server gives the remote login shell a real pseudo-terminal.
 */
describe('framesh shell on a terminal (tmux)', () => {
  let serve: ServeProcess;
  let target: string;
  before(async () => {
    serve = await startServeProcess(['--insecure'], quietHome());
    target = `127.0.0.1:${serve.port}`;
  });
  after(async () => {
    await serve.stop();
  });
  const open = (extra: string[] = []) => terminalSession(['shell', '--insecure', ...extra, target]);

  it('keeps shell state (cd, then pwd) and hands exit 7 back as the local status, terminal sane', async () => {
    const tmux = await open();
    await tmux.type('cd /tmp && echo "PWD-IS-$(pwd)"');
    await tmux.waitFor(/^PWD-IS-\/tmp\s*$/m);
    await tmux.type('pwd');
    await tmux.waitFor(/^\/tmp\s*$/m);
    await tmux.type('exit 7');
    assert.deepEqual(await localStatusAndTerminal(tmux), { status: 7, sane: true });
  });

  it('a remote kill -9 $$ gives 137', async () => {
    const tmux = await open();
    await tmux.type('kill -9 $$');
    assert.deepEqual(await localStatusAndTerminal(tmux), { status: 137, sane: true });
  });

  it('stty size follows the local terminal, also after it is resized', async () => {
    const tmux = await open();
    await tmux.type('echo "SIZE $(stty size)"');
    await tmux.waitFor(/^SIZE 30 100\s*$/m);
    await tmux.resize(120, 40);
    await tmux.type('echo "SIZE $(stty size)"');
    await tmux.waitFor(/^SIZE 40 120\s*$/m);
    await tmux.type('exit');
    assert.equal((await localStatusAndTerminal(tmux)).status, 0);
  });

  it('Ctrl-C interrupts sleep 100 and the prompt comes back; Ctrl-Z stops a job and fg resumes it', async () => {
    const tmux = await open();
    await tmux.type('sleep 100');
    await tmux.waitFor(/sleep 100\s*$/m);
    await tmux.keys('C-c');
    await tmux.ready('AFTER-INT');
    await tmux.type('sleep 101');
    await tmux.waitFor(/sleep 101\s*$/m);
    await tmux.keys('C-z');
    await tmux.waitFor(/Stopped\s+sleep 101/);
    await tmux.type('fg');
    await tmux.waitFor(/^sleep 101\s*$/m);
    await tmux.keys('C-c');
    await tmux.ready('AFTER-FG');
    await tmux.type('exit');
    assert.deepEqual(await localStatusAndTerminal(tmux), { status: 0, sane: true });
  });

  it('read -s takes a secret without echo', async () => {
    const tmux = await open();
    await tmux.type('read -s SECRET; echo "GOT:${SECRET}:"');
    await tmux.type('hunter2-typed');
    const screen = await tmux.waitFor(/^GOT:hunter2-typed:\s*$/m);
    assert.equal(screen.split('hunter2-typed').length - 1, 1, `the secret was echoed:\n${screen}`);
    await tmux.type('exit');
  });

  it('wide CJK characters typed and printed round-trip intact', async () => {
    const tmux = await open();
    await tmux.type("printf '%s' '你好世界' | od -An -tx1 | tr -d ' \\n'; echo ' CJK'");
    await tmux.waitFor(/^e4bda0e5a5bde4b896e7958c CJK\s*$/m);
    await tmux.type("echo '=漢字かな='");
    await tmux.waitFor(/^=漢字かな=\s*$/m);
    await tmux.type('exit');
  });

  it('vim opens a file, takes typed text and :wq writes it on the server', async () => {
    const dir = tempDir('framesh-vim-');
    const file = path.join(dir, 'notes.txt');
    const tmux = await open();
    await tmux.type(`vim -u NONE -N '${file}'`);
    // vim's own status line for a new file, not the typed command line (which names the file too): keys
    // typed before vim owns the terminal went to the shell (seen in CI).
    await tmux.waitFor(/"[^"\n]*notes\.txt" \[New( File)?\]/);
    await tmux.type('ihello from vim', false);
    await tmux.keys('Escape');
    await tmux.type(':wq');
    await tmux.ready('AFTER-VIM');
    assert.equal(readFileSync(file, 'utf8'), 'hello from vim\n');
    await tmux.type('exit');
  });

  it('top renders and q quits it', async () => {
    const tmux = await open();
    await tmux.type('top');
    await tmux.waitFor(/load average/);
    await tmux.type('q', false);
    await tmux.ready('AFTER-TOP');
    await tmux.type('exit');
    assert.deepEqual(await localStatusAndTerminal(tmux), { status: 0, sane: true });
  });

  it('~. disconnects (status 255, terminal sane)', async () => {
    const tmux = await open();
    await tmux.type('~.', false);
    await tmux.waitFor(/Connection to 127\.0\.0\.1 closed\./);
    assert.deepEqual(await localStatusAndTerminal(tmux), { status: 255, sane: true });
  });

  it('~~ sends one ~, ~? lists the escapes, and -e none sends ~. through', async () => {
    const tmux = await open();
    await tmux.type('~~', false);
    await tmux.type('/x; echo "TILDE-$((1+1))"');
    // bash expands ~/x to HOME/x: one ~ arrived.
    await tmux.waitFor(/^TILDE-2\s*$/m);
    await tmux.type('~?', false);
    await tmux.waitFor(/terminate connection/);
    await tmux.type('exit');
    await localStatusAndTerminal(tmux);

    const plain = await open(['-e', 'none']);
    await plain.type('~.; echo "THROUGH-$((2+2))"');
    await plain.waitFor(/^THROUGH-4\s*$/m);
    await plain.type('exit');
    assert.equal((await localStatusAndTerminal(plain)).status, 0);
  });
});
