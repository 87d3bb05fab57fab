import { promises as fs } from 'node:fs';
import type { FramedConnection } from '../connection/framed-connection.js';
import { FrameshError, ProtocolError } from '../errors.js';
import type { OpenMessageOf, ChannelSetup, ServerChannel, ChannelFactory } from '../server/server-channel.js';
import { refuseDone, refuseResize, refuseSeek, refuseSignal } from '../server/server-channel.js';
import { WebError } from './web-errors.js';
import type { WebOwner, WebSessionInfo } from './web-sessions.js';

/** What the `web` channel asks of the web service (web-service.ts). */
export interface WebControl {
  /** A one-time login URL for `owner` (PROTOCOL.md §12.2, `login`). */
  mintLogin(owner: WebOwner): { url: string; expiresAtMs: number };
  listSessions(): WebSessionInfo[];
  revokeSession(id: string): boolean;
  /** The leader pid of terminal `ch` on `conn`, while it runs. */
  terminalPid(conn: FramedConnection, ch: number): number | null;
}

/** The `web` channel kind of a server started with --web (PROTOCOL.md §12.2). */
export function webChannelFactory(control: WebControl): ChannelFactory<'web'> {
  return (open, setup) => new WebChannel(open, setup, control);
}

/**
 * One request, one answer: `done` with a UTF-8 JSON body, or a channel `error`. Takes no data, like
 * stat; minting needs an authenticated key, so the owner is the connection's own identity.
 */
class WebChannel implements ServerChannel {
  readonly id: number;

  constructor(
    private readonly request: OpenMessageOf<'web'>,
    private readonly setup: ChannelSetup,
    private readonly control: WebControl,
  ) {
    this.id = request.ch;
  }

  async start(): Promise<void> {
    try {
      const answer = await this.answer();
      this.setup.conn.send({ type: 'done', ch: this.id }, Buffer.from(JSON.stringify(answer), 'utf8'));
    } catch (err) {
      const error =
        err instanceof FrameshError ? err : new FrameshError('INTERNAL', 'the web request failed', { cause: err });
      this.setup.conn.send({ type: 'error', ch: this.id, code: error.code, message: error.message });
    }
    this.setup.onEnded();
  }

  private async answer(): Promise<unknown> {
    const { request, setup, control } = this;
    switch (request.action) {
      case 'login': {
        const owner: WebOwner = {
          fingerprint: setup.fingerprint,
          comment: setup.identity?.comment ?? '',
          ...(setup.identity?.options && { options: setup.identity.options }),
        };
        return control.mintLogin(owner);
      }
      case 'list':
        return { sessions: control.listSessions() };
      case 'revoke':
        if (request.session === undefined) throw new ProtocolError('a web "revoke" names its "session"');
        if (!control.revokeSession(request.session))
          throw new WebError('WEB_SESSION_UNKNOWN', `no web session ${request.session}`);
        return { revoked: request.session };
      case 'cwd': {
        if (request.terminal === undefined) throw new ProtocolError('a web "cwd" names its "terminal" channel');
        const pid = control.terminalPid(setup.conn, request.terminal);
        if (pid === null)
          throw new FrameshError('ENOENT', `no terminal runs on channel ${request.terminal} of this connection`);
        // The shell's own current directory, as `pwd -P` would print it (PROTOCOL.md §12.2).
        return { cwd: await fs.readlink(`/proc/${pid}/cwd`) };
      }
    }
  }

  onData(): void {
    throw new ProtocolError('a web channel takes no data');
  }
  onEof(): void {}
  onWindow(): void {}
  onSignal(): void {
    refuseSignal();
  }
  onResize(): void {
    refuseResize();
  }
  onSeek(): void {
    refuseSeek();
  }
  onDone(): Promise<void> {
    return refuseDone();
  }
  terminate(): void {}
  abandon(): void {}
}
