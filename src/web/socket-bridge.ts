import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CLOSE_STREAM_UNKNOWN, DEFAULT_RESUME_GRACE_MS, ResumableStream } from './resumable-stream.js';
import type { FrameshServer } from '../server/server.js';
import type { WebOwner } from './web-sessions.js';

/** Largest WebSocket message taken from a browser: one frame of the largest body plus its header. */
const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
/** Close code sent when the web session behind a socket ended (revoked or expired). */
export const CLOSE_SESSION_ENDED = 4401;

/**
 * Runs framesh sessions over WebSockets (PROTOCOL.md §12.3): each page's byte stream is a
 * {@link ResumableStream}, a Duplex handed to the server's own ServerSession, so windows, limits,
 * channel kinds, keepalive and the audit log are the CLI's; a page whose socket dropped resumes its
 * stream on a new socket (same terminal, same shell) within the grace time.
 */
export class SocketBridge {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
  });
  /** Streams by web session id, then by the page's stream id. */
  private readonly bySession = new Map<string, Map<string, ResumableStream>>();

  constructor(
    private readonly server: FrameshServer,
    private readonly resumeGraceMs: number = DEFAULT_RESUME_GRACE_MS,
  ) {}

  /**
   * Completes an upgrade already checked (origin, cookie): a new stream for `request.stream` (the page's
   * random id) when `received` is 0 and the id is new, else a resume of that stream of this same web
   * session; an id this session does not hold, with `received` > 0, is closed with 4404 (the page then
   * starts over).
   */
  accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    session: { id: string; owner: WebOwner },
    request: { stream: string; received: number },
    onActivity: () => void,
  ): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const streams = this.bySession.get(session.id) ?? new Map<string, ResumableStream>();
      this.bySession.set(session.id, streams);
      const existing = streams.get(request.stream);
      if (existing) {
        if (!existing.attach(ws, request.received)) ws.close(CLOSE_STREAM_UNKNOWN, 'stream cannot be resumed');
        return;
      }
      if (request.received !== 0) {
        ws.close(CLOSE_STREAM_UNKNOWN, 'stream ended');
        return;
      }
      const stream = new ResumableStream(request.stream, this.resumeGraceMs, (data) => {
        if (isUserActivity(data)) onActivity();
      });
      streams.set(request.stream, stream);
      stream.on('close', () => {
        streams.delete(request.stream);
        if (streams.size === 0 && this.bySession.get(session.id) === streams) this.bySession.delete(session.id);
      });
      // A failed stream is reported once by the framed connection's 'close'; this keeps the stream's own
      // 'error' from being unhandled.
      stream.on('error', () => {});
      stream.attach(ws, 0);
      const { owner } = session;
      const started = this.server.attachAuthenticatedStream(stream, {
        // The audit log's `remote` names the web session, so every line of it leads back to its login.
        remote: `web:${session.id}@${req.socket.remoteAddress}:${req.socket.remotePort}`,
        identity: owner.fingerprint
          ? { fingerprint: owner.fingerprint, comment: owner.comment, ...(owner.options && { options: owner.options }) }
          : null,
        endpoints: {
          clientAddress: req.socket.remoteAddress ?? '',
          clientPort: req.socket.remotePort ?? 0,
          serverAddress: req.socket.localAddress ?? '',
          serverPort: req.socket.localPort ?? 0,
        },
      });
      if (!started) stream.destroy();
    });
  }

  /** Open WebSockets of a web session (streams waiting for their page are not counted). */
  socketCount(sessionId: string): number {
    let count = 0;
    for (const stream of this.bySession.get(sessionId)?.values() ?? []) if (stream.connected) count++;
    return count;
  }

  /** The session ended: its sockets close with 4401 and its streams end (terminals hung up). */
  endSession(sessionId: string): void {
    for (const stream of this.bySession.get(sessionId)?.values() ?? [])
      stream.close(CLOSE_SESSION_ENDED, 'web session ended');
  }

  /** Cuts every socket without a close frame, as a network drop would; the streams wait for their pages. */
  dropAll(): void {
    for (const streams of this.bySession.values()) for (const stream of streams.values()) stream.cut();
  }

  close(): void {
    for (const streams of this.bySession.values()) for (const stream of streams.values()) stream.destroy();
    this.wss.close();
  }
}

/** Frames the page sends by itself: they do not keep an unattended tab's session from going idle. */
const AUTOMATIC_TYPES = new Set(['pong', 'ping', 'window']);

/**
 * Whether a message from the page is someone's doing (a keystroke, a resize, an upload) rather than
 * keepalive or flow control. The page sends one frame per message (PROTOCOL.md §12.3), so the header is
 * at its start; anything unreadable counts as activity (the session itself will refuse it).
 */
export function isUserActivity(data: Buffer): boolean {
  if (data.length < 4) return true;
  const headerLength = data.readUInt32BE(0);
  if (headerLength > data.length - 4 || headerLength > 4096) return true;
  try {
    const header = JSON.parse(data.toString('utf8', 4, 4 + headerLength)) as { type?: unknown };
    return !(typeof header.type === 'string' && AUTOMATIC_TYPES.has(header.type));
  } catch {
    return true;
  }
}
