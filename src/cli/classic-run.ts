import readline from 'node:readline';
import iconv from 'iconv-lite';
import { CLASSIC_FORMATS, type ClassicFormat } from '../classic/classic-format.js';
import { ClassicClient, type ReplySink } from '../classic/client/classic-client.js';
import { describeTarget, type ClassicTarget } from '../classic/client/classic-connect.js';
import { ClassicReplyError } from '../classic/client/classic-reply-error.js';
import { uploadFile } from '../classic/client/classic-upload-sender.js';
import { describeError, EXIT_CLIENT_FAILURE, EXIT_OUTPUT_CLOSED } from './exit-status.js';
import { outputWriter } from './output-decoder.js';

export interface ClassicFlags {
  format: ClassicFormat;
  greeting?: boolean;
  encoding?: string;
  idle: number;
  maxReply: number;
  timeout: number;
}
export type Mode = { kind: 'prompt' } | { kind: 'command'; text: string } | { kind: 'put'; file: string };

const LEAVE_WORDS = new Set(['exit', 'quit']);
/** Exit status after Ctrl-C while a reply was awaited, as a shell reports SIGINT. */
const EXIT_INTERRUPTED = 130;

/** `framesh classic`'s work, once its arguments are parsed. */
export async function runClassic(target: ClassicTarget, mode: Mode, flags: ClassicFlags): Promise<number> {
  let connection: ClassicClient;
  try {
    connection = await ClassicClient.connect(target, {
      format: flags.format,
      maxReplyBytes: flags.maxReply,
      idleMs: flags.idle,
      timeoutMs: flags.timeout,
    });
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    return EXIT_CLIENT_FAILURE;
  }
  if (flags.format === 'raw' && mode.kind !== 'put') {
    process.stderr.write(
      `framesh: the raw format has no framing, so reply boundaries are guessed: a reply ends after ${flags.idle} ms without data (--idle)\n`,
    );
  }
  const session = new ClassicSession(connection, flags);
  // `| head` closed our stdout: nothing more can be shown, so leave as a program killed by SIGPIPE would.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    connection.close();
    process.exit(EXIT_OUTPUT_CLOSED);
  });
  try {
    if (flags.greeting) await session.greeting();
    if (mode.kind === 'command') await session.run(mode.text);
    else if (mode.kind === 'prompt') await session.prompt();
    else return await session.put(mode.file);
    return 0;
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    if (err instanceof ClassicReplyError && err.code !== 'CLASSIC_REPLY_CUT' && session.replies === 0) {
      process.stderr.write(
        `framesh: hint: check --format (the server may speak another of ${CLASSIC_FORMATS.join(', ')}) and whether it sends a greeting first (--greeting)\n`,
      );
    }
    return EXIT_CLIENT_FAILURE;
  } finally {
    connection.close();
  }
}

/** One classic connection driven from the CLI: greeting, commands, prompt, upload. */
class ClassicSession {
  replies = 0;
  readonly #connection: ClassicClient;
  readonly #flags: ClassicFlags;
  readonly #tty = process.stdin.isTTY === true;

  constructor(connection: ClassicClient, flags: ClassicFlags) {
    this.#connection = connection;
    this.#flags = flags;
  }

  /**
   * docs/CLASSIC.md: the greeting is UTF-8 text, printed as it came, then ended with a newline if it
   * lacks one, as the classic client's print() does, so the first reply starts on its own line.
   */
  async greeting(): Promise<void> {
    const out = stdoutSink(undefined);
    await this.#connection.readGreeting(out.sink);
    const lastByte = out.end();
    if (lastByte !== null && lastByte !== 0x0a) process.stdout.write('\n');
  }

  /** Sends one command in one write and prints its whole reply. */
  async run(text: string): Promise<void> {
    const encoding = this.#flags.encoding;
    await this.#connection.send(encoding ? iconv.encode(text, encoding) : Buffer.from(text, 'utf8'));
    const out = stdoutSink(encoding);
    try {
      await this.#connection.readReply(out.sink);
      this.replies += 1;
    } finally {
      this.#tidyLine(out.end());
    }
  }

  /** The `>> ` loop, like a classic client's `input('>> ')`; piped lines work the same without the prompt. */
  async prompt(): Promise<void> {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: this.#tty });
    rl.setPrompt('>> ');
    let waiting = false;
    // On a terminal readline turns Ctrl-C into this event. A classic server cannot be told to stop a command,
    // and the reply would land in the next read, so while waiting the only safe way out is to leave.
    rl.on('SIGINT', () => {
      if (waiting) {
        process.stderr.write('\nframesh: left while waiting for a reply\n');
        process.exit(EXIT_INTERRUPTED);
      }
      process.stdout.write('^C\n');
      rl.prompt();
    });
    const prompt = (): void => {
      if (this.#tty) rl.prompt();
    };
    try {
      prompt();
      for await (const line of rl) {
        const text = line.trim();
        if (LEAVE_WORDS.has(text)) break;
        // A classic server reads an empty read as "client closed", so empty lines are never sent.
        if (text.length > 0) {
          waiting = true;
          await this.run(text);
          waiting = false;
        }
        prompt();
      }
    } finally {
      rl.close();
      process.stdin.destroy();
    }
  }

  /** Uploads FILE, then waits for the server to close, its only sign of having read it all. */
  async put(file: string): Promise<number> {
    const { name, bytes } = await uploadFile(this.#connection, file);
    const { closedByServer, strayBytes } = await this.#connection.finish();
    const where = describeTarget(this.#connection.target);
    if (strayBytes > 0)
      process.stderr.write(
        `framesh: the server sent ${strayBytes} bytes after the upload; classic servers send none (ignored)\n`,
      );
    if (!closedByServer) {
      process.stderr.write(
        `framesh: sent ${name} (${bytes} bytes) to ${where}, but the server did not close within ${this.#flags.timeout} ms, so it is not known whether it stored it\n`,
      );
      return 0;
    }
    process.stderr.write(`framesh: sent ${name} (${bytes} bytes) to ${where}; classic servers send no confirmation\n`);
    return 0;
  }

  /** At a terminal, end a reply that lacks a final newline, so the prompt starts on its own line. */
  #tidyLine(lastByte: number | null): void {
    if (this.#tty && lastByte !== null && lastByte !== 0x0a) process.stdout.write('\n');
  }
}

/** A sink to stdout, decoding from `encoding` per reply; `end()` flushes the decoder and returns the last byte seen. */
function stdoutSink(encoding: string | undefined): { sink: ReplySink; end(): number | null } {
  const writer = outputWriter(process.stdout, encoding);
  let lastByte: number | null = null;
  return {
    sink: {
      write: (chunk) => {
        if (chunk.length > 0) lastByte = chunk[chunk.length - 1] as number;
        return writer.write(chunk);
      },
      onDrain: (resume) => process.stdout.once('drain', resume),
    },
    end: () => {
      writer.end();
      return lastByte;
    },
  };
}
