import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
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
