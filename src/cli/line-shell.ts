import readline from 'node:readline';
import type { ExecCall } from '../client/exec-call.js';
import type { FrameshClient } from '../client/client.js';
import { describeError, EXIT_CLIENT_FAILURE } from './exit-status.js';
import { outputWriter } from './output-decoder.js';

export interface LineShellOptions {
  readonly prompt: string;
  readonly encoding: string | undefined;
  readonly login: boolean;
}

const LEAVE_WORDS = new Set(['exit', 'quit']);

/**
 * `framesh shell --line` (and `shell` when stdin is not a terminal): each line runs as its own command
 * (`/bin/sh -c LINE`) on one connection. No state carries over between lines; for a real shell, the
 * terminal mode is the default on a terminal.
 */
export async function runLineShell(client: FrameshClient, options: LineShellOptions): Promise<number> {
  const interactive = process.stdin.isTTY === true;
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
  rl.setPrompt(options.prompt);
  // Whether the cursor sits at the start of a line: readline redraws its prompt from column 0, which
  // would erase output that did not end in a newline (`printf abc`).
  let atLineStart = true;
  const prompt = (): void => {
    if (!interactive) return; // Like sh, prompt only for a person: piped input gets just the output.
    if (!atLineStart) process.stdout.write('\n');
    atLineStart = true;
    rl.prompt();
  };
  let running: ExecCall | null = null;
  let lost: unknown = null;
  client.once('close', (error) => {
    lost = error;
    rl.close();
  });
  const onInterrupt = (): void => {
    if (running) running.signal('SIGINT');
    else if (interactive) {
      process.stdout.write('^C\n');
      prompt();
    }
  };
  // On a terminal readline turns Ctrl-C into its own event; otherwise it arrives as a signal.
  rl.on('SIGINT', onInterrupt);
  process.on('SIGINT', onInterrupt);
  // readline's own Ctrl-Z handling pauses the interface on SIGCONT and never resumes it, so after `fg`
  // the client hung with the terminal raw. Suspend ourselves and come back with input flowing.
  rl.on('SIGTSTP', () => {
    process.stdin.setRawMode?.(false);
    process.once('SIGCONT', () => {
      process.stdin.setRawMode?.(true);
      rl.resume();
      if (!running) prompt();
    });
    process.kill(process.pid, 'SIGTSTP');
  });
  prompt();
  for await (const line of rl) {
    const text = line.trim();
    if (LEAVE_WORDS.has(text)) break;
    if (text.length > 0) {
      running = client.exec(text, options.login ? { login: true } : {});
      running.stdin.end();
      const out = outputWriter(process.stdout, options.encoding);
      const err = outputWriter(process.stderr, options.encoding);
      const track = (chunk: Buffer): void => {
        if (chunk.length > 0) atLineStart = chunk[chunk.length - 1] === 0x0a;
      };
      running.stdout.on('data', (chunk: Buffer) => {
        track(chunk);
        out.write(chunk);
      });
      running.stderr.on('data', (chunk: Buffer) => {
        track(chunk);
        err.write(chunk);
      });
      try {
        const result = await running.exit;
        out.end();
        err.end();
        if (result.code !== 0) {
          if (!atLineStart) process.stderr.write('\n');
          atLineStart = true;
          process.stderr.write(`[exit ${result.code ?? result.signal}]\n`);
        }
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
