import { InvalidArgumentError } from './commander.js';
import { commandForArgv } from './command-for-argv.js';
import { EXIT_USAGE } from './exit-status.js';
import { lifecycle } from './lifecycle.js';

/**
 * Runs the CLI on `argv` (process.argv's shape): what `framesh` does, whether main.ts runs it from the
 * bundle (docs/ARCHITECTURE.md "Decisions") or from the modules themselves.
 */
export async function runCli(argv: readonly string[]): Promise<void> {
  const program = await commandForArgv(argv);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    // An argument found bad only once the command runs (a target's port, a flag that needs another) is a
    // usage error like those commander finds while parsing: one line and status 2, not a stack trace.
    if (!(error instanceof InvalidArgumentError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(EXIT_USAGE);
  }
  // Writes to a pipe are asynchronous in Node, and process.exit() drops what a full pipe has not taken. The
  // commands that stream (exec, fan-out, classic) return only once their output drained, and the others
  // print less than a pipe holds (test: "a reader that starts only after the exit arrived").
  if (!lifecycle.longRunning) process.exit();
}
