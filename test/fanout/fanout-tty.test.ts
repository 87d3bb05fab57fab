/**
 * What a person sees on a real terminal (tmux: send-keys, capture-pane) during a fan-out: exec -H's
 * live status line (done/running/failed/total, elapsed) while hosts run, then the summary; put -H's bar
 * per host and total line while one host is held back mid-file, then the summary. Each run is ended by
 * the test's own event (a file the hosts wait for, a gate the proxy holds), never by a fixed sleep; the
 * shell prints the exit status, so the test does not depend on tmux reporting the pane dead.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { CLI_ENTRY } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { hasTmux, TmuxTerminal } from '../helpers/tmux-terminal.js';
import { gateProxy, startFanoutHosts, type FanoutHosts } from './fanout-fixture.js';

const ROOT = path.resolve(path.dirname(CLI_ENTRY), '../..');
let hosts: FanoutHosts;

function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The CLI on a terminal, followed by a line with its exit status. */
function onTerminal(args: string[], size?: { cols: number; rows: number }): Promise<TmuxTerminal> {
  const cli = [process.execPath, '--import', 'tsx', CLI_ENTRY, ...args].map(quote).join(' ');
  return TmuxTerminal.start(
    ['sh', '-c', `${cli}; echo "EXIT=$?"`],
    { FRAMESH_HOME: tempDir('framesh-home-') },
    ROOT,
    size,
  );
}

before(async () => {
  hosts = await startFanoutHosts(4);
});

describe('fan-out on a terminal', { skip: !hasTmux() && 'tmux is not installed', concurrency: 1 }, () => {
  it('exec -H: a live status line while hosts run, then the summary table', async () => {
    // Each host's command waits for a file the test creates once it has seen the status line.
    const terminal = await onTerminal([
      'exec',
      '--insecure',
      '-n',
      '-H',
      hosts.list(0, 4),
      '--',
      'echo started; while [ ! -e go ]; do sleep 0.05; done; echo finished',
    ]);
    // Every host's first line, then the status line drawn again below them, its elapsed time moving while
    // nothing else does.
    await terminal.waitFor(/(^\[127\.0\.0\.1:\d+\] started$[\s\S]*){4}/m);
    const running = await terminal.waitFor(/^\[0\/4 done, 4 running, 0 failed, [1-9]\d*\.\ds\]/m);
    assert.equal(running.match(/^\[127\.0\.0\.1:\d+\] started$/gm)?.length, 4, running);
    for (const dir of hosts.dirs) writeFileSync(path.join(dir, 'go'), '');
    const end = await terminal.waitFor(/^EXIT=\d+$/m);
    assert.match(end, /^EXIT=0$/m);
    assert.match(end, /^HOST\s+EXIT\s+TIME\s+BYTES\s+ERROR$/m);
    assert.match(end, /^4 hosts: 4 ok, 0 failed$/m);
    assert.equal(end.match(/^\[127\.0\.0\.1:\d+\] finished$/gm)?.length, 4);
    assert.doesNotMatch(end, /running, \d+ failed/, 'the status line is cleared before the summary');
    terminal.kill();
  });

  it('put -H: a bar per host and a total line with the status while one host is held mid-file, then the summary; get -H the same', async () => {
    // Several times the server's 4 MiB window, so the held host is visibly part way.
    const size = 24 * 1024 * 1024;
    const src = path.join(tempDir('framesh-tty-put-'), 'blob.bin');
    const bytes = randomBytes(size);
    writeFileSync(src, bytes);
    // The handshake and the first MiB go through; the rest waits for release().
    const gate = await gateProxy(hosts.servers[3]?.port as number, 1024 * 1024);
    const fast = hosts.list(0, 3);
    const terminal = await onTerminal(['put', '--insecure', '-H', `${fast},127.0.0.1:${gate.port}`, src, 'blob.bin']);
    // A frame is drawn in several writes: wait for the whole state that holds while the host is held (the
    // total line and the three finished rows), not the first capture whose total line shows it.
    const finished = hosts.servers
      .slice(0, 3)
      .map((s) => String.raw`(?=[\s\S]*^127\.0\.0\.1:${s.port}\s+\|.*\| 100% 24\.0 MiB\/24\.0 MiB .* ok\s*$)`);
    const mid = await terminal.waitFor(
      new RegExp(
        String.raw`^(?=[\s\S]*^total +\[3\/4 done, 1 running, 0 failed, [\d.]+m?s\] \|)` + finished.join(''),
        'm',
      ),
    );
    for (const s of hosts.servers.slice(0, 3))
      assert.match(
        mid,
        new RegExp(`^127\\.0\\.0\\.1:${s.port}\\s+\\|.*\\| 100% 24\\.0 MiB/24\\.0 MiB .* ok\\s*$`, 'm'),
      );
    const held = new RegExp(`^127\\.0\\.0\\.1:${gate.port}\\s+\\|.*\\| (\\d+)% `, 'm').exec(mid);
    assert.ok(held && Number(held[1]) < 100, `the held host's bar is part way: ${mid}`);
    gate.release();
    const end = await terminal.waitFor(/^EXIT=\d+$/m);
    assert.match(end, /^EXIT=0$/m);
    assert.match(end, /^total +\[4\/4 done, 0 running, 0 failed, [\d.]+m?s\] \|.*\| 100% 96\.0 MiB\/96\.0 MiB/m);
    assert.match(end, /^4 hosts: 4 ok, 0 failed$/m);
    for (const dir of hosts.dirs) assert.ok(readFileSync(path.join(dir, 'blob.bin')).equals(bytes));
    terminal.kill();

    // And back: get -H draws the same bars, one per host, and writes DIR/HOST/.
    const out = tempDir('framesh-tty-get-');
    const back = await onTerminal(['get', '--insecure', '-H', hosts.list(0, 4), 'blob.bin', out]);
    const done = await back.waitFor(/^EXIT=\d+$/m);
    assert.match(done, /^EXIT=0$/m);
    for (const s of hosts.servers)
      assert.match(
        done,
        new RegExp(`^127\\.0\\.0\\.1:${s.port}\\s+\\|.*\\| 100% 24\\.0 MiB/24\\.0 MiB .* ok\\s*$`, 'm'),
      );
    assert.match(done, /^total +\[4\/4 done, 0 running, 0 failed, [\d.]+m?s\] \|.*\| 100% 96\.0 MiB\/96\.0 MiB/m);
    for (const s of hosts.servers)
      assert.ok(readFileSync(path.join(out, `127.0.0.1:${s.port}`, 'blob.bin')).equals(bytes));
    back.kill();
  });

  it('put -H on a terminal with fewer rows than hosts: bars never outgrow it, a waiting host gets the row of one that ended', async () => {
    const src = path.join(tempDir('framesh-tty-put-'), 'small.bin');
    const bytes = randomBytes(24 * 1024 * 1024);
    writeFileSync(src, bytes);
    const gate = await gateProxy(hosts.servers[3]?.port as number, 1024 * 1024);
    // 5 rows: the total line, at most 3 bars, the cursor's line; 4 hosts start at once.
    const terminal = await onTerminal(
      ['put', '--insecure', '-H', `${hosts.list(0, 3)},127.0.0.1:${gate.port}`, src, 'small.bin'],
      { cols: 120, rows: 5 },
    );
    // A frame is drawn in several writes, so the first capture whose total line says 3/4 may still show
    // the rows of the frame before: wait for the state that holds while the held host waits (its row and
    // two rows of finished hosts), then check that nothing more is on the screen.
    const okRow = String.raw`^127\.0\.0\.1:\d+ +\|.*\| 100% 24\.0 MiB\/24\.0 MiB .* ok\s*$`;
    const mid = await terminal.waitFor(
      new RegExp(
        String.raw`^(?=[\s\S]*^total +\[3\/4 done, 1 running, 0 failed, [\d.]+m?s\] \|)` +
          String.raw`(?=[\s\S]*^127\.0\.0\.1:${gate.port}\s+\|)(?:[\s\S]*?${okRow}){2}`,
        'm',
      ),
    );
    // screen() includes the scrollback: bars drawn past the bottom would have scrolled copies into it.
    assert.equal(mid.match(/^total /gm)?.length, 1, mid);
    assert.match(
      mid,
      new RegExp(`^127\\.0\\.0\\.1:${gate.port}\\s+\\|`, 'm'),
      'the held host, which waited for a row, has one',
    );
    assert.equal(
      mid.match(/^127\.0\.0\.1:\d+ +\|.*\| 100% 24\.0 MiB\/24\.0 MiB .* ok\s*$/gm)?.length,
      2,
      'two of the finished hosts still show ok; the first gave its row up',
    );
    gate.release();
    const end = await terminal.waitFor(/^EXIT=\d+$/m);
    assert.match(end, /^EXIT=0$/m);
    assert.match(end, /^4 hosts: 4 ok, 0 failed$/m);
    terminal.kill();
  });
});
