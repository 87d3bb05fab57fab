import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer, type WebSocket } from 'ws';
import type { FrameshServer } from '../server/server.js';
import type { WebOwner } from './web-sessions.js';

/** Largest WebSocket message taken from a browser: one frame of the largest body plus its header. */
const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
/** Close code sent when the web session behind a socket ended (revoked or expired). */
export const CLOSE_SESSION_ENDED = 4401;

/**
 * Runs framesh sessions over WebSockets (PROTOCOL.md §12.3): each socket becomes a Duplex
 * (ws.createWebSocketStream, which pauses the socket while the stream is full) handed to the server's
 * own ServerSession, so windows, limits, channel kinds, keepalive and the audit log are the CLI's.
 */
export class SocketBridge {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
  });
  private readonly bySession = new Map<string, Set<WebSocket>>();

  constructor(private readonly server: FrameshServer) {}

  /** Completes an upgrade already checked (origin, cookie) and starts the session on it. */
  accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    session: { id: string; owner: WebOwner },
    onActivity: () => void,
  ): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const sockets = this.bySession.get(session.id) ?? new Set<WebSocket>();
      this.bySession.set(session.id, sockets.add(ws));
      ws.on('message', (data: Buffer) => {
        if (isUserActivity(data)) onActivity();
      });
      ws.on('close', () => {
        sockets.delete(ws);
        if (sockets.size === 0) this.bySession.delete(session.id);
      });
      const stream = createWebSocketStream(ws);
      // A failed socket is reported once by the framed connection's 'close'; this keeps the stream's own
      // 'error' from being unhandled.
      stream.on('error', () => {});
      const { owner } = session;
      this.server.attachAuthenticatedStream(stream, {
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
    });
  }

  socketCount(sessionId: string): number {
    return this.bySession.get(sessionId)?.size ?? 0;
  }

  /** The session ended: its sockets close (their terminals are hung up as on any lost connection). */
  endSession(sessionId: string): void {
    for (const ws of this.bySession.get(sessionId) ?? []) ws.close(CLOSE_SESSION_ENDED, 'web session ended');
  }

  /** Cuts every socket without a close frame, as a network drop would (tests of the page's reconnect). */
  dropAll(): void {
    for (const sockets of this.bySession.values()) for (const ws of sockets) ws.terminate();
  }

  close(): void {
    for (const sockets of this.bySession.values()) for (const ws of sockets) ws.terminate();
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
