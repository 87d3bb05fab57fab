import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { completionScript } from '../../src/cli/completion-scripts.js';
import { buildProgram } from '../../src/cli/program.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dirs.js';

/**
 * `framesh completion bash` sourced in a real bash: the completion function is called the way bash's
 * programmable completion calls it (COMP_WORDS/COMP_CWORD), and COMPREPLY is checked.
 */
describe('framesh completion', () => {
  let scriptFile: string;
  let cwd: string;
  before(async () => {
    const result = await runCli(['completion', 'bash']);
    assert.equal(result.code, 0, result.stderr);
    cwd = tempDir('framesh-completion-');
    scriptFile = path.join(cwd, 'framesh.bash');
    writeFileSync(scriptFile, result.stdout);
    mkdirSync(path.join(cwd, 'keys-dir'));
    writeFileSync(path.join(cwd, 'key-file'), '');
  });

  /** The words bash would offer for `line` (the last word is the one being completed). */
  const complete = (line: string): string[] => {
    const words = line.split(' ');
    const script = [
      'source "$1"',
      'complete -p framesh',
      `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
      `COMP_CWORD=${words.length - 1}`,
      'COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}',
      '_framesh_complete',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const result = spawnSync('bash', ['--norc', '--noprofile', '-c', script, 'bash', scriptFile, line], {
      cwd,
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(result.status, 0, result.stderr);
    const [registration, ...offered] = result.stdout.split('\n').filter((l) => l.length > 0);
    assert.match(registration ?? '', /^complete -o filenames -F _framesh_complete framesh$/);
    return offered.sort();
  };

  it('completes subcommands, from the command definitions', () => {
    assert.deepEqual(
      complete('framesh '),
      [
        '--help',
        '--version',
        '-V',
        '-h',
        'classic',
        'completion',
        'config',
        'exec',
        'get',
        'help',
        'keygen',
        'put',
        'serve',
        'shell',
        'web-login',
        'web-sessions',
      ].sort(),
    );
    assert.deepEqual(complete('framesh ex'), ['exec']);
  });

  it("completes each subcommand's own flags", () => {
    assert.deepEqual(complete('framesh exec --ti'), ['--timeout']);
    assert.deepEqual(complete('framesh exec --connect-t'), ['--connect-timeout']);
    assert.deepEqual(
      complete('framesh put -'),
      complete('framesh put -').filter((w) => w.startsWith('-')),
    );
    assert.ok(complete('framesh put -').includes('-P'), 'scp-style -P for put');
    assert.ok(complete('framesh serve --').includes('--shutdown-grace'));
    assert.deepEqual(complete('framesh serve --ti'), [], 'timeout is an exec flag, not a serve one');
  });

  it('completes the values of a flag: choices, setting names, local files, and nothing for remote paths', () => {
    assert.deepEqual(complete('framesh classic --format '), ['ack', 'json', 'length', 'raw']);
    assert.deepEqual(complete('framesh exec -o Conn'), ['ConnectTimeout=']);
    assert.deepEqual(
      complete('framesh exec -i key'),
      ['key-file', 'keys-dir'],
      'files, and directories on the way to one',
    );
    assert.deepEqual(complete('framesh serve --root key'), ['keys-dir'], 'directories only');
    assert.deepEqual(complete('framesh exec --cwd k'), [], '--cwd is on the server');
    assert.deepEqual(complete('framesh put key'), ['key-file', 'keys-dir'], 'operands complete as local paths');
  });

  it('zsh and fish scripts carry the same subcommands and flags', () => {
    const program = buildProgram();
    const zsh = completionScript(program, 'zsh');
    assert.match(zsh, /^#compdef framesh\n/);
    assert.match(zsh, /'exec:run one command on a server; its exit status becomes ours'/);
    assert.match(zsh, /\{-p,--port\}'\[server port when HOST gives none/);
    assert.match(zsh, /--format'\[the reply format the server speaks\]:value:\(json length ack raw\)'/);
    const fish = completionScript(program, 'fish');
    assert.match(fish, /complete -c framesh -n "__fish_seen_subcommand_from exec" -l timeout -x -d /);
    assert.match(fish, /complete -c framesh -n "__fish_seen_subcommand_from put" -s P -l port -x /);
    for (const sub of ['serve', 'exec', 'shell', 'put', 'get', 'keygen', 'classic', 'completion', 'config']) {
      assert.match(fish, new RegExp(`-a ${sub} -d `));
      assert.match(zsh, new RegExp(`\\n {4}${sub}\\)\\n`));
    }
  });

  it('an unknown shell is a usage error', async () => {
    const result = await runCli(['completion', 'tcsh']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /expected one of bash, zsh, fish/);
  });
});
