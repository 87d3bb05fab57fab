import { Command, InvalidArgumentError } from './commander.js';
import { COMPLETION_SHELLS, completionScript, type CompletionShell } from './completion-scripts.js';
import { exitStatusHelp } from './exit-status.js';

/** `framesh completion bash|zsh|fish`: prints a completion script for the whole command tree. */
export function completionCommand(): Command {
  const command = new Command('completion')
    .description('print a shell completion script (bash, zsh or fish) for framesh')
    .argument('<shell>', COMPLETION_SHELLS.join(', '), parseShell)
    .addHelpText(
      'after',
      '\nbash: source <(framesh completion bash)    zsh: source <(framesh completion zsh)\n' +
        'fish: framesh completion fish | source    (or save the output where the shell loads completions)\n' +
        exitStatusHelp([]),
    )
    .action((shell: CompletionShell) => {
      // The root program is this command's parent: read at run time, so no module imports program.ts.
      const root = command.parent ?? command;
      process.stdout.write(completionScript(root, shell));
    });
  return command;
}

function parseShell(text: string): CompletionShell {
  if (!(COMPLETION_SHELLS as readonly string[]).includes(text)) {
    throw new InvalidArgumentError(`expected one of ${COMPLETION_SHELLS.join(', ')}`);
  }
  return text as CompletionShell;
}
