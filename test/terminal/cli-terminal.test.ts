import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, startServeProcess, tempHome, type ServeProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { Tmux } from '../helpers/tmux.js';
import { waitForSessionGone } from '../helpers/processes.js';
import { cliLine, localStatusAndTerminal, terminalSession, quietHome } from './terminal-helpers.js';

describe('framesh exec -t, clean environment, recording, client death, line mode (CLI)', () => {
  let serve: ServeProcess;
  let target: string;
  let recordings: string;
  before(async () => {
    recordings = path.join(tempDir('framesh-rec-'), 'casts');
    // Variables the server's own environment has (npm start, tmux, an interactive shell) must not leak.
    serve = await startServeProcess(['--insecure', '--record', recordings], {
      npm_config_leak: 'x',
      TMUX: '/tmp/fake,1,0',
      OLDPWD: '/leak',
      ...quietHome(),
    });
    target = `127.0.0.1:${serve.port}`;
  });
  after(async () => {
    await serve.stop();
  });

  it('exec -t -- tty prints a /dev/pts path; exec -- tty prints "not a tty"', async () => {
    const withTty = await runCli(['exec', '--insecure', '-t', target, '--', 'tty'], { timeoutMs: 30_000 });
    assert.equal(withTty.code, 0, withTty.stderr);
    assert.match(withTty.stdout, /^\/dev\/pts\/\d+\r\n$/);
    const without = await runCli(['exec', '--insecure', target, '--', 'tty'], { timeoutMs: 30_000 });
    assert.equal(without.code, 1);
    assert.equal(without.stdout, 'not a tty\n');
  });

  it('a remote env has USER, LOGNAME, HOME, SHELL, PATH, FRAMESH_CONNECTION, the -e variables, and nothing of the server', async () => {
    const result = await runCli(['exec', '--insecure', '-e', 'MINE=1', target, '--', 'env'], {
      timeoutMs: 30_000,
      env: { LANG: 'C.UTF-8' },
    });
    assert.equal(result.code, 0, result.stderr);
    const env = new Map(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    for (const name of ['USER', 'LOGNAME', 'HOME', 'SHELL', 'PATH'])
      assert.ok(env.get(name), `${name} missing:\n${result.stdout}`);
    assert.match(
      env.get('FRAMESH_CONNECTION') ?? '',
      new RegExp(`^127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${serve.port}$`),
    );
    assert.equal(env.get('MINE'), '1');
    assert.equal(env.get('LANG'), 'C.UTF-8', 'the client locale travels');
    assert.deepEqual(
      [...env.keys()].filter((k) => /^npm_|^TMUX|^OLDPWD$/.test(k)),
      [],
    );
    assert.equal(env.has('TERM'), false, 'no TERM without a terminal');
  });

  it('--record writes an asciicast v2 file (0600) with the output and a resize, named in the audit log', async () => {
    const tmux = await terminalSession(['shell', '--insecure', target]);
    await tmux.type('echo "REC-$((2+3))"');
    await tmux.waitFor(/^REC-5\s*$/m);
    await tmux.resize(90, 25);
    await tmux.type('echo "SIZE $(stty size)"');
    await tmux.waitFor(/^SIZE 25 90\s*$/m);
    await tmux.type('exit');
    await localStatusAndTerminal(tmux);
    const files = readdirSync(recordings).filter((f) => f.endsWith('.cast'));
    const recorded = files.map((f) => path.join(recordings, f)).find((f) => readFileSync(f, 'utf8').includes('REC-5'));
    assert.ok(recorded, `no recording holds the output; files: ${files.join(', ')}`);
    assert.equal(statSync(recorded).mode & 0o777, 0o600);
    const [headerLine, ...eventLines] = readFileSync(recorded, 'utf8').trimEnd().split('\n');
    const header = JSON.parse(headerLine as string) as {
      version: number;
      width: number;
      height: number;
      timestamp: number;
    };
    assert.equal(header.version, 2);
    assert.deepEqual([header.width, header.height], [100, 30]);
    const events = eventLines.map((line) => JSON.parse(line) as [number, string, string]);
    let last = 0;
    for (const [time, code, data] of events) {
      assert.ok(typeof time === 'number' && time >= last, 'event times never go back');
      assert.ok(['o', 'r'].includes(code), `unexpected event ${code} (input is not recorded without --record-input)`);
      assert.equal(typeof data, 'string');
      last = time;
    }
    assert.match(
      events
        .filter((e) => e[1] === 'o')
        .map((e) => e[2])
        .join(''),
      /REC-5\r\n/,
    );
    assert.deepEqual(
      events.filter((e) => e[1] === 'r').map((e) => e[2]),
      ['90x25'],
    );
    const audit = serve
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"terminal.'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const start = audit.find((e) => e.event === 'terminal.start' && e.recording === recorded);
    const end = audit.find((e) => e.event === 'terminal.end' && e.recording === recorded);
    assert.ok(start && end, `audit lines missing:\n${serve.stderr()}`);
    assert.deepEqual([start.cols, start.rows], [100, 30]);
    // The client sends its own TERM: inside tmux, tmux's.
    assert.match(String(start.term), /^(tmux|screen)/);
    assert.deepEqual([end.cols, end.rows, end.code], [90, 25, 0]);
    assert.equal(typeof end.durationMs, 'number');
  });

  it('SIGKILL of the client ends the remote shell and its children within 2 s', async () => {
    const tmux = await Tmux.start({
      command: cliLine(['shell', '--insecure', target]),
      env: { FRAMESH_HOME: tempHome() },
    });
    await tmux.type('sleep 1005 & echo "SID=$$"');
    const screen = await tmux.waitFor(/^SID=\d+\s*$/m, 30_000);
    const sid = Number(/^SID=(\d+)\s*$/m.exec(screen)?.[1]);
    process.kill(await tmux.panePid(), 'SIGKILL');
    assert.deepEqual(await waitForSessionGone(sid, 2000), []);
  });

  it('line mode keeps output without a final newline, and survives Ctrl-Z then fg', async () => {
    const tmux = await Tmux.start({ env: { FRAMESH_HOME: tempHome() } });
    await tmux.waitFor(/^\$\s*$/m);
    await tmux.type(cliLine(['shell', '--insecure', '--line', target]));
    await tmux.waitFor(/127\.0\.0\.1>>\s*$/, 30_000);
    await tmux.type('printf abc');
    await tmux.waitFor(/^abc\s*\n127\.0\.0\.1>>\s*$/m);
    await tmux.keys('C-z');
    await tmux.waitFor(/Stopped/);
    await tmux.type('fg');
    await tmux.waitFor(/\n127\.0\.0\.1>>\s*$/);
    await tmux.type('echo "LINE-$((40+2))"');
    await tmux.waitFor(/^LINE-42\s*$/m);
    await tmux.type('exit');
    assert.deepEqual(await localStatusAndTerminal(tmux), { status: 0, sane: true });
  });
});
