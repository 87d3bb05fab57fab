import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { commandForArgv, SUBCOMMANDS } from '../../src/cli/command-for-argv.js';
import { buildProgram } from '../../src/cli/program.js';

/** What `framesh X --help` prints, captured in-process. */
function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  command.outputHelp();
  return text;
}

describe('--help of every command', () => {
  const program = buildProgram();
  for (const command of program.commands) {
    it(`${command.name()} --help ends with the exit status table, usage errors included`, () => {
      const help = helpOf(command);
      assert.match(help, /Exit status:\n {2}0 {7}success\n/);
      assert.match(help, /^ {2}2 {7}usage error/m);
    });
  }

  it('duration options show their default with a unit, never a bare number of ms', () => {
    for (const command of program.commands) {
      for (const option of command.options) {
        if (!option.flags.includes('<duration>') || option.defaultValue === undefined) continue;
        assert.match(
          String(option.defaultValueDescription),
          /^(0 \(none\)|\d+(ms|s|min|h))$/,
          `${command.name()} ${option.flags}`,
        );
      }
    }
  });
});

describe('main.ts builds only the subcommand a command line names', () => {
  const program = buildProgram();

  it('SUBCOMMANDS lists every command of the whole tree, in its order, completion left to the tree', () => {
    assert.deepEqual([...Object.keys(SUBCOMMANDS), 'completion'].sort(), program.commands.map((c) => c.name()).sort());
  });

  for (const command of program.commands) {
    it(`framesh ${command.name()}: the same help, options and settings as in the whole tree`, async () => {
      const alone = await commandForArgv(['node', 'framesh', command.name(), '--help']);
      const sub = alone.commands.find((c) => c.name() === command.name());
      assert.ok(sub, `${command.name()} is in the tree built for it`);
      assert.equal(helpOf(sub), helpOf(command));
      assert.equal(sub.usage(), command.usage());
    });
  }

  it('anything else (root options, help, an unknown word) gets the whole tree', async () => {
    for (const word of ['--help', '--version', 'help', 'exce', 'completion']) {
      const tree = await commandForArgv(['node', 'framesh', word]);
      assert.equal(tree.commands.length, program.commands.length, word);
    }
  });
});
