import type net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { encodeFrame } from '../protocol/frame-encoder.js';
import type { ErrorMessage } from '../protocol/messages.js';
import { randomInt } from 'node:crypto';
import { shouldDrop, SourceCounts, type StartupsPolicy } from './startup-limits.js';

/** First byte of every TLS record carrying a handshake (a ClientHello); a framesh frame starts with 0x00. */
const TLS_HANDSHAKE_BYTE = 0x16;

export interface GateSettings {
  /** Plaintext mode: no TLS, no authentication, no startup limits. */
  readonly insecure: boolean;
  readonly secureContext: tls.SecureContext | null;
  /** Connections that have not authenticated yet, and when to drop more (OpenSSH's MaxStartups). */
  readonly maxStartups: StartupsPolicy;
  /** Most unauthenticated connections from one address; 0 for no limit (OpenSSH's PerSourceMaxStartups). */
  readonly perSourceMaxStartups: number;
  /** Random integer in [0, 100) for the early drop; replaceable in tests. */
  readonly random?: () => number;
  /** Time from accept to successful authentication. */
  readonly authGraceMs: number;
}

export interface Admitted {
  readonly stream: Duplex;
  readonly tlsSocket: tls.TLSSocket | null;
  /** Call once the client authenticated: it no longer counts against maxStartups or the grace time. */
  readonly release: () => void;
}

export interface GateEvents {
  /** The connection may speak the protocol now. Returns a hook to fail it when the grace time runs out. */
  ready(admitted: Admitted): { onGraceExpired(): void };
  refused(
    reason: 'max-startups' | 'per-source-max-startups' | 'tls-required' | 'tls-not-enabled' | 'tls-handshake',
  ): void;
}

/**
 * Everything between accept() and the first frame: the startup limit, the
 * grace timer, and telling TLS clients from plaintext ones by the first byte,
 * so each mismatch gets a clear answer instead of a hang.
 */
export class ConnectionGate {
  private readonly settings: GateSettings;
  private unauthenticated = 0;
  private readonly perSource = new SourceCounts();

  constructor(settings: GateSettings) {
    this.settings = settings;
  }

  get pendingAuthentications(): number {
    return this.unauthenticated;
  }

  admit(socket: net.Socket, events: GateEvents): void {
    const { insecure } = this.settings;
    socket.on('error', () => socket.destroy());
    const source = SourceCounts.sourceOf(socket.remoteAddress);
    if (!insecure) {
      // Per source first: one address filling the table must not make everyone else's connections drop.
      const { perSourceMaxStartups } = this.settings;
      if (perSourceMaxStartups > 0 && this.perSource.count(source) >= perSourceMaxStartups) {
        events.refused('per-source-max-startups');
        socket.destroy();
        return;
      }
      if (shouldDrop(this.unauthenticated, this.settings.maxStartups, this.settings.random ?? (() => randomInt(100)))) {
        events.refused('max-startups');
        socket.destroy();
        return;
      }
    }
    let released = insecure;
    let grace: NodeJS.Timeout | null = null;
    if (!insecure) {
      this.unauthenticated += 1;
      this.perSource.add(source);
    }
    const release = (): void => {
      if (released) return;
      released = true;
      this.unauthenticated -= 1;
      this.perSource.remove(source);
      if (grace) clearTimeout(grace);
    };
    socket.once('close', release);
    let onGraceExpired = (): void => {
      socket.destroy();
    };
    if (!insecure) {
      grace = setTimeout(() => onGraceExpired(), this.settings.authGraceMs);
      grace.unref();
    }
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      const isTls = chunk[0] === TLS_HANDSHAKE_BYTE;
      if (insecure && isTls) {
        events.refused('tls-not-enabled');
        return refuseWith(
          socket,
          'TLS_MISMATCH',
          'this server speaks plaintext (it runs with --insecure); connect with --insecure',
        );
      }
      if (!insecure && !isTls) {
        events.refused('tls-required');
        return refuseWith(
          socket,
          'TLS_REQUIRED',
          'this server requires TLS and key authentication; connect without --insecure',
        );
      }
      if (insecure) {
        events.ready({ stream: socket, tlsSocket: null, release });
        // pause() above made the stream non-flowing; a new 'data' listener alone would not restart it.
        socket.resume();
        return;
      }
      const tlsSocket = new tls.TLSSocket(socket, {
        isServer: true,
        secureContext: this.settings.secureContext as tls.SecureContext,
      });
      tlsSocket.on('error', () => {
        if (!tlsSocket.authorized) events.refused('tls-handshake');
        tlsSocket.destroy();
      });
      tlsSocket.once('secure', () => {
        tlsSocket.removeAllListeners('error');
        const hooks = events.ready({ stream: tlsSocket, tlsSocket, release });
        onGraceExpired = () => hooks.onGraceExpired();
      });
    });
  }
}

function refuseWith(socket: net.Socket, code: string, message: string): void {
  const frame: ErrorMessage = { type: 'error', code, message };
  socket.end(encodeFrame(frame)[0]);
  socket.resume();
  setTimeout(() => socket.destroy(), 2000).unref();
}
