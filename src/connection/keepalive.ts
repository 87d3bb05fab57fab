import { ConnectionError } from '../errors.js';
import type { FramedConnection } from './framed-connection.js';

export interface KeepaliveOptions {
  /** Silence after which a ping is sent, in ms; 0 disables keepalive. */
  readonly intervalMs: number;
  /** Intervals of silence after which the peer is declared dead. */
  readonly countMax: number;
}

/**
 * Detects a dead peer (PROTOCOL.md §6): after `intervalMs` without a byte from
 * the peer it sends `ping`; after `countMax` intervals of silence it destroys
 * the connection, which ends that connection's commands. Any received byte,
 * not only `pong`, proves the peer alive.
 */
export function startKeepalive(conn: FramedConnection, options: KeepaliveOptions): void {
  if (options.intervalMs <= 0) return;
  let nextPingId = 1;
  const timer = setInterval(
    () => {
      const silentMs = performance.now() - conn.lastReceivedAt;
      if (silentMs >= options.intervalMs * options.countMax) {
        conn.destroy(new ConnectionError('KEEPALIVE_TIMEOUT', `peer silent for ${Math.round(silentMs)} ms; closing`));
      } else if (silentMs >= options.intervalMs) {
        conn.send({ type: 'ping', id: nextPingId++ });
      }
    },
    Math.max(10, Math.floor(options.intervalMs / 2)),
  );
  timer.unref();
  conn.once('close', () => clearInterval(timer));
}
