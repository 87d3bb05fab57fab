import type { Socket } from 'node:net';
import { ACK_READY, type ClassicFormat } from '../classic-format.js';
import type { FileRoot } from '../../server/files/file-root.js';
import type { ExitStatus } from '../../server/process/launcher.js';
import { ChunkReader } from './chunk-reader.js';
import { ClassicCommand, type ClassicCommandOptions, type ClassicEndReason } from './classic-command-runner.js';
import { ClassicServerError } from './classic-errors.js';
import { replyBody, replyHeader } from './classic-reply.js';
import { classifyRequest } from './classic-request.js';
import { receiveUpload, type UploadRecord } from './classic-upload-receiver.js';

const ACK_READY_BYTES = Buffer.from(ACK_READY, 'ascii');
/** How long a read of 1-3 bytes that may begin an upload's length waits for the rest of it. */
export const SPLIT_LENGTH_WAIT_MS = 100;

/** One finished classic command, for the audit log. */
export interface ClassicCommandRecord {
  readonly remote: string;
  readonly command: string;
  readonly pid: number | null;
  readonly status: ExitStatus | null;
  readonly reason: ClassicEndReason | null;
  readonly errorCode: string | null;
  readonly stdoutBytes: number;
  readonly stderrBytes: number;
  /** Bytes of the reply body sent (after any transcoding); 0 when no reply went out. */
  readonly replyBytes: number;
  readonly durationMs: number;
}

export interface ClassicSessionEvents {
  commandStart(info: { remote: string; command: string; pid: number }): void;
  commandEnd(record: ClassicCommandRecord): void;
  upload(record: UploadRecord): void;
}

/** What every connection of one listener shares. */
export interface ClassicSessionContext {
  readonly format: ClassicFormat;
  /** Decodes request bytes (`--classic-encoding`). */
  readonly decodeText: (bytes: Buffer) => string;
  /** `--classic-output-encoding`, or null to send output as the command wrote it. */
  readonly outputEncoding: string | null;
  readonly greeting: Buffer | null;
  readonly root: FileRoot;
  readonly command: ClassicCommandOptions;
  readonly events: ClassicSessionEvents;
}

/**
 * One classic client (docs/CLASSIC.md): the greeting, then requests in
 * order, one at a time. One read is one command; an upload is recognised by
 * its first bytes and may span many reads. The socket is not read while a
 * request is handled, so nothing queues without bound.
 */
export class ClassicSession {
  readonly remote: string;
  private readonly socket: Socket;
  private readonly ctx: ClassicSessionContext;
  private readonly reader: ChunkReader;
  private current: ClassicCommand | null = null;
  private draining = false;
  /** True only while waiting for the start of a request (not mid-upload, not for `recv_ready`). */
  private idle = false;

  constructor(socket: Socket, ctx: ClassicSessionContext) {
    this.socket = socket;
    this.ctx = ctx;
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    this.reader = new ChunkReader(socket);
    socket.on('error', () => {
      // ECONNRESET and the like: 'close' follows, and the reader reports the client gone.
    });
    // An empty read means the client closed (half-close included): no one is left to read a reply.
    const gone = (): void => this.current?.terminate('disconnect');
    socket.once('end', gone);
    socket.once('close', gone);
  }

  /** Serves requests until the client closes or the server drains; resolves once the socket is done. */
  async serve(): Promise<void> {
    try {
      if (this.ctx.greeting && !(await this.write([this.ctx.greeting]))) return;
      while (!this.draining) {
        this.idle = true;
        const first = await this.reader.next();
        this.idle = false;
        if (first === null || !(await this.handle(first))) break;
      }
    } finally {
      this.socket.destroySoon();
    }
  }

  /** Shutdown: take no new request; an idle connection closes now, a busy one after its reply. */
  drain(): void {
    this.draining = true;
    if (this.idle) this.socket.destroy();
  }

  /** Shutdown grace is over: end the running command (its reply says so). */
  terminate(): void {
    this.current?.terminate('shutdown');
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Handles one request; false when the connection must close. */
  private async handle(first: Buffer): Promise<boolean> {
    let request = first;
    let kind = classifyRequest(request, this.ctx.decodeText);
    while (kind.kind === 'short') {
      // docs/CLASSIC.md, "Uploads": under 4 bytes that may start an upload's length; a split length
      // completes within moments, a short command gets no more bytes and runs after the wait.
      const more = await this.reader.nextWithin(SPLIT_LENGTH_WAIT_MS);
      if (more === null) return false;
      if (more === 'timeout') {
        kind = { kind: 'command' };
        break;
      }
      request = Buffer.concat([request, more]);
      kind = classifyRequest(request, this.ctx.decodeText);
    }
    while (kind.kind === 'more') {
      // An upload's length, header and content come in separate sends; the header is at most 4 + 65536 bytes.
      const more = await this.reader.next();
      if (more === null) return false;
      request = Buffer.concat([request, more]);
      kind = classifyRequest(request, this.ctx.decodeText);
    }
    switch (kind.kind) {
      case 'upload': {
        const record = await receiveUpload(
          this.reader,
          this.ctx.root,
          kind.header,
          request.subarray(kind.contentStart),
          this.remote,
        );
        this.ctx.events.upload(record);
        return record.outcome !== 'truncated';
      }
      case 'bad-upload':
        // The content length is unknown, so its bytes cannot be skipped; reading on would run file bytes as commands.
        this.ctx.events.upload({
          remote: this.remote,
          name: '',
          stored: null,
          bytes: 0,
          outcome: 'refused',
          error: new ClassicServerError('CLASSIC_UPLOAD_HEADER', `${kind.reason}; closing the connection`),
          durationMs: 0,
        });
        return false;
      case 'short': // not reachable: 4 bytes or more are never short
      case 'command':
        return this.runCommand(request);
    }
  }

  private async runCommand(request: Buffer): Promise<boolean> {
    const command = new ClassicCommand(this.ctx.decodeText(request), this.ctx.command);
    this.current = command;
    if (this.reader.isClosed) command.terminate('disconnect');
    const result = await command.run((pid) =>
      this.ctx.events.commandStart({ remote: this.remote, command: command.text, pid }),
    );
    this.current = null;
    let replyBytes = 0;
    let open = result.reason !== 'disconnect';
    if (open) {
      const body = replyBody(result, this.ctx.outputEncoding);
      open = await this.sendReply(body);
      if (open) replyBytes = body.length;
    }
    this.ctx.events.commandEnd({
      remote: this.remote,
      command: command.text,
      pid: command.pid,
      status: result.status,
      reason: result.reason,
      errorCode: result.errorCode,
      stdoutBytes: result.stdout.length,
      stderrBytes: result.stderr.length,
      replyBytes,
      durationMs: result.durationMs,
    });
    return open;
  }

  private async sendReply(body: Buffer): Promise<boolean> {
    const header = replyHeader(this.ctx.format, body.length);
    if (this.ctx.format === 'ack') {
      // docs/CLASSIC.md: after the digits the client sends `recv_ready`; any read counts as it.
      if (!(await this.write([header as Buffer]))) return false;
      const ready = await this.reader.next();
      if (ready === null) return false;
      // After an empty reply a client may send its next command at once, and the two sends can arrive as
      // one read: what follows `recv_ready` is the next request, not part of the acknowledgement.
      if (ready.length > ACK_READY_BYTES.length && ready.subarray(0, ACK_READY_BYTES.length).equals(ACK_READY_BYTES)) {
        this.reader.unshift(ready.subarray(ACK_READY_BYTES.length));
      }
      return body.length === 0 || this.write([body]);
    }
    const parts = header ? [header, body] : [body];
    return this.write(parts.filter((part) => part.length > 0));
  }

  /** Writes header and body in one corked batch; resolves once flushed (false if the socket went away). */
  private write(buffers: Buffer[]): Promise<boolean> {
    const socket = this.socket;
    if (buffers.length === 0) return Promise.resolve(!socket.destroyed);
    if (socket.destroyed || !socket.writable) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onClose = (): void => resolve(false);
      socket.once('close', onClose);
      socket.cork();
      buffers.forEach((buffer, i) => {
        const last = i === buffers.length - 1;
        socket.write(
          buffer,
          last
            ? (err) => {
                socket.off('close', onClose);
                resolve(!err);
              }
            : undefined,
        );
      });
      socket.uncork();
    });
  }
}
