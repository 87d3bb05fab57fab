import readline from 'node:readline';
import { Command } from 'commander';
import type { ExecCall } from '../client/exec-call.js';
import { addConnectionOptions, connectFromFlags, defaultPortOf, type ConnectionFlags } from './connection-options.js';
import { describeError, EXIT_CLIENT_FAILURE, exitStatusHelp } from './exit-status.js';
import { outputWriter, parseEncoding } from './output-decoder.js';
import { parseTarget } from './target.js';

interface ShellFlags extends ConnectionFlags {
  encoding?: string;
  login?: boolean;
}

const LEAVE_WORDS = new Set(['exit', 'quit']);

export function shellCommand(): Command {
  const command = new Command('shell')
    .description('line-mode prompt: each line runs as a command on one connection')
    .argument('<host[:port]>', 'server address (default port 7022)')
    .option('--encoding <name>', 'decode remote output from this charset (for example gbk) to UTF-8', parseEncoding)
    .option('--login', "run each line through the server account's login shell")
    .addHelpText(
      'after',
      '\nEmpty lines are ignored; exit, quit or EOF (Ctrl-D) leave; Ctrl-C interrupts the running command, not the session.\nCommands get no stdin (they read EOF).\n' +
        exitStatusHelp([['255', 'framesh failed: connect, authentication, or the connection was lost']]),
    )
    .action(async (targetText: string, flags: ShellFlags) => {
      process.exitCode = await runShell(targetText, flags);
    });
  return addConnectionOptions(command);
}

async function runShell(targetText: string, flags: ShellFlags): Promise<number> {
  const target = parseTarget(targetText, defaultPortOf(flags));
  let client;
  try {
    client = await connectFromFlags(target, flags);
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    return EXIT_CLIENT_FAILURE;
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY === true });
  rl.setPrompt(`${target.host}>> `);
  // Like sh, prompt only for a person: piped input gets just the output.
  const prompt = (): void => {
    if (process.stdin.isTTY) rl.prompt();
  };
  let running: ExecCall | null = null;
  let lost: unknown = null;
  client.once('close', (error) => {
    lost = error;
    rl.close();
  });
  const onInterrupt = (): void => {
    if (running) running.signal('SIGINT');
    else if (process.stdin.isTTY) {
      process.stdout.write('^C\n');
      prompt();
    }
  };
  // On a terminal readline turns Ctrl-C into its own event; otherwise it arrives as a signal.
  rl.on('SIGINT', onInterrupt);
  process.on('SIGINT', onInterrupt);
  prompt();
  for await (const line of rl) {
    const text = line.trim();
    if (LEAVE_WORDS.has(text)) break;
    if (text.length > 0) {
      running = client.exec(text, flags.login ? { login: true } : {});
      running.stdin.end();
      const out = outputWriter(process.stdout, flags.encoding);
      const err = outputWriter(process.stderr, flags.encoding);
      running.stdout.on('data', (chunk: Buffer) => out.write(chunk));
      running.stderr.on('data', (chunk: Buffer) => err.write(chunk));
      try {
        const result = await running.exit;
        out.end();
        err.end();
        if (result.code !== 0) process.stderr.write(`[exit ${result.code ?? result.signal}]\n`);
      } catch (error) {
        process.stderr.write(`${describeError(error)}\n`);
      }
      running = null;
      if (client.closed) break;
    }
    prompt();
  }
  rl.close();
  process.off('SIGINT', onInterrupt);
  await client.close();
  if (lost) {
    process.stderr.write(`${describeError(lost)}\n`);
    return EXIT_CLIENT_FAILURE;
  }
  return 0;
}
