import { EventEmitter } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import iconv from 'iconv-lite';
import { DEFAULT_CLASSIC_HOST, DEFAULT_CLASSIC_MAX_OUTPUT_BYTES, type ClassicFormat } from '../classic-format.js';
import { FileRoot } from '../../server/files/file-root.js';
import { ChildProcessLauncher } from '../../server/process/child-process-launcher.js';
import type { ProcessLauncher } from '../../server/process/launcher.js';
import { ClassicSession, type ClassicCommandRecord, type ClassicSessionContext } from './classic-session.js';
import type { UploadRecord } from './classic-upload-receiver.js';
import { checkOptionalTimerMs } from '../../durations.js';

export { DEFAULT_CLASSIC_HOST };
const DEFAULT_KILL_GRACE_MS = 5000;

export interface ClassicListenerOptions {
  /** Reply format (default json). */
  format?: ClassicFormat;
  /** Charset of requests (default utf-8). */
  encoding?: string;
  /** Transcode UTF-8 output to this charset; sizes count transcoded bytes. */
  outputEncoding?: string;
  /** Sent once right after accept. */
  greeting?: string;
  /** Cap on one command's collected output (default 64 MiB). */
  maxOutputBytes?: number;
  /** Per-command run time in ms; 0 (default) for none. */
  timeoutMs?: number;
  /** SIGTERM-to-SIGKILL grace when a command is ended (default 5000). */
  killGraceMs?: number;
  /** Working directory of commands (default: home directory). */
  cwd?: string;
  /** Directory uploads are stored in (default: home directory). */
  root?: string;
  /** Run commands through the account's login shell. */
  login?: boolean;
  /** Environment commands start from (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** How processes are started (default: a ChildProcessLauncher). */
  launcher?: ProcessLauncher;
}

export interface ClassicListenerEvents {
  connection: [remote: string];
  disconnect: [remote: string];
  commandStart: [info: { remote: string; command: string; pid: number }];
  commandEnd: [record: ClassicCommandRecord];
  upload: [record: UploadRecord];
  /** A connection failed in a way no request explains (a bug); it was closed, the listener goes on. */
  failure: [remote: string, error: Error];
}

/**
 * The classic-format listener (`framesh serve --classic`, docs/CLASSIC.md):
 * its own TCP port, each connection served concurrently by a
 * {@link ClassicSession}. Emits events for the audit log.
 */
export class ClassicListener extends EventEmitter<ClassicListenerEvents> {
  private readonly options: ClassicListenerOptions;
  private readonly server: net.Server;
  private readonly launcher: ProcessLauncher;
  private readonly connections = new Set<{ conn: ClassicSession; done: Promise<void> }>();
  private context: ClassicSessionContext | null = null;
  private closing: Promise<void> | null = null;

  constructor(options: ClassicListenerOptions = {}) {
    super();
    checkOptionalTimerMs('timeoutMs', options.timeoutMs);
    checkOptionalTimerMs('killGraceMs', options.killGraceMs);
    this.options = options;
    this.launcher = options.launcher ?? new ChildProcessLauncher();
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  /** Listens and resolves with the bound address (port 0 picks a free port). */
  async listen(port: number, host: string = DEFAULT_CLASSIC_HOST): Promise<net.AddressInfo> {
    this.context ??= await this.makeContext();
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host }, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as net.AddressInfo);
      });
    });
  }

  get format(): ClassicFormat {
    return this.options.format ?? 'json';
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Stops accepting, closes idle connections, lets running commands finish
   * and reply for `graceMs`, then ends them (their replies say so) and closes.
   */
  close(graceMs: number): Promise<void> {
    this.closing ??= this.shutdown(graceMs);
    return this.closing;
  }

  private async shutdown(graceMs: number): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const { conn } of this.connections) conn.drain();
    const allDone = (): Promise<unknown> => Promise.all([...this.connections].map((c) => c.done));
    if ((await raceTimer(allDone(), graceMs)) === 'timeout') {
      for (const { conn } of this.connections) conn.terminate();
      await raceTimer(allDone(), (this.options.killGraceMs ?? DEFAULT_KILL_GRACE_MS) + 1000);
    }
    for (const { conn } of this.connections) conn.destroy();
    await stopped;
    await this.launcher.close();
  }

  private accept(socket: net.Socket): void {
    const context = this.context;
    if (this.closing || !context) {
      socket.destroy();
      return;
    }
    const conn = new ClassicSession(socket, context);
    this.emit('connection', conn.remote);
    const done = conn.serve().catch((err: unknown) => {
      conn.destroy();
      this.emit('failure', conn.remote, err instanceof Error ? err : new Error(String(err)));
    });
    const entry = { conn, done };
    this.connections.add(entry);
    socket.once('close', () => {
      this.connections.delete(entry);
      this.emit('disconnect', conn.remote);
    });
  }

  private async makeContext(): Promise<ClassicSessionContext> {
    const o = this.options;
    const encoding = o.encoding ?? 'utf-8';
    const utf8 = /^utf-?8$/i.test(encoding);
    const outputEncoding = o.outputEncoding && !/^utf-?8$/i.test(o.outputEncoding) ? o.outputEncoding : null;
    return {
      format: this.format,
      decodeText: utf8 ? (bytes) => bytes.toString('utf8') : (bytes) => iconv.decode(bytes, encoding),
      outputEncoding,
      greeting: o.greeting === undefined ? null : Buffer.from(o.greeting, 'utf8'),
      root: await FileRoot.open(o.root ?? os.homedir()),
      command: {
        launcher: this.launcher,
        cwd: o.cwd ?? os.homedir(),
        env: o.env ?? process.env,
        login: o.login ?? false,
        timeoutMs: o.timeoutMs ?? 0,
        killGraceMs: o.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
        maxOutputBytes: o.maxOutputBytes ?? DEFAULT_CLASSIC_MAX_OUTPUT_BYTES,
      },
      events: {
        commandStart: (info) => this.emit('commandStart', info),
        commandEnd: (record) => this.emit('commandEnd', record),
        upload: (record) => this.emit('upload', record),
      },
    };
  }
}

function raceTimer(work: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const over = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([work, over]).finally(() => clearTimeout(timer));
}
