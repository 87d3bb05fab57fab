import { FramedConnection } from '../connection/framed-connection.js';
import { DEFAULT_LIMITS } from '../protocol/constants.js';
import { TcpTransport } from '../transport/tcp-transport.js';
import type { Transport } from '../transport/transport.js';
import { FrameshClient } from './client.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface ConnectOptions {
  host?: string;
  /** Default 7022. */
  port?: number;
  /** Time allowed for connect plus hello, in ms (default 10000). */
  timeoutMs?: number;
  /** Plain TCP without TLS or keys, for tests and trusted loopback only. */
  insecure?: boolean;
  /** How bytes travel (default: plain TCP). */
  transport?: Transport;
}

/** Connects to a framesh server and completes the hello exchange. */
export async function connect(options: ConnectOptions = {}): Promise<FrameshClient> {
  const target = { host: options.host ?? '127.0.0.1', port: options.port ?? 7022 };
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const transport = options.transport ?? new TcpTransport();
  const stream = await transport.connect(target, timeoutMs);
  const conn = new FramedConnection(stream, DEFAULT_LIMITS);
  return FrameshClient.handshake(conn, timeoutMs);
}
