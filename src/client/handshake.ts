import type { FramedConnection } from '../connection/framed-connection.js';
import { DEFAULT_LIMITS } from '../protocol/constants.js';
import { buildHello, checkPeerVersion } from '../protocol/hello.js';
import type { Message } from '../protocol/messages.js';
import { ConnectionError, FrameshError, ProtocolError, SecurityError, TimeoutError } from '../errors.js';
import { AGENT, CAPABILITIES } from '../version.js';
import { authExporterValue } from '../transport/tls-exporter.js';
import { FrameshClient } from './client.js';
import type { ClientIdentity } from './client-identity.js';

/**
 * Hello (PROTOCOL.md §2), then, when the server asks for it, key
 * authentication bound to the TLS session (§10). Resolves with a ready client;
 * on any failure the connection is closed and the promise rejects once.
 */
export async function performHandshake(
  conn: FramedConnection,
  timeoutMs: number,
  identity: ClientIdentity | null,
  debug: (line: string) => void = () => {},
): Promise<FrameshClient> {
  const deadline = performance.now() + timeoutMs;
  conn.send(buildHello(AGENT, CAPABILITIES, DEFAULT_LIMITS));
  const hello = await nextMessage(conn, 'hello', deadline, 'hello');
  if (hello.type !== 'hello')
    throw failWith(conn, new ProtocolError(`expected "hello" from server, got "${hello.type}"`));
  try {
    checkPeerVersion(hello);
  } catch (err) {
    throw failWith(conn, err as FrameshError);
  }
  conn.peerLimits = hello.limits;
  debug(`server hello: ${hello.agent}, protocol ${hello.version}, capabilities ${hello.capabilities.join(' ')}`);
  if (hello.capabilities.includes('auth-ed25519')) {
    const exporterValue = authExporterValue(conn.stream);
    if (!identity || !exporterValue) {
      throw failWith(
        conn,
        new SecurityError('AUTH_FAILED', 'the server requires key authentication, but no key was given'),
      );
    }
    let auth;
    try {
      auth = await identity.authMessage(exporterValue, hello.capabilities);
    } catch (err) {
      throw failWith(
        conn,
        err instanceof FrameshError
          ? err
          : new SecurityError('AUTH_FAILED', `signing failed: ${(err as Error).message}`, { cause: err }),
      );
    }
    debug(`authenticating with ${identity.signer.source}: ${auth.alg ?? 'ssh-ed25519'} ${identity.signer.fingerprint}`);
    conn.send(auth);
    const reply = await nextMessage(conn, 'auth-ok', deadline, 'authentication');
    if (reply.type !== 'auth-ok')
      throw failWith(conn, new ProtocolError(`expected "auth-ok" from server, got "${reply.type}"`));
    debug(`authenticated as ${reply.fingerprint}`);
  }
  return new FrameshClient(conn, hello);
}

function nextMessage(conn: FramedConnection, expected: string, deadline: number, phase: string): Promise<Message> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      conn.off('message', onMessage);
      conn.off('close', onClose);
    };
    const timer = setTimeout(
      () => {
        cleanup();
        conn.destroy();
        reject(new TimeoutError(`server did not answer ${phase} in time (waiting for "${expected}")`));
      },
      Math.max(0, deadline - performance.now()),
    );
    const onMessage = (message: Message): void => {
      cleanup();
      resolve(message);
    };
    const onClose = (error: FrameshError | null): void => {
      cleanup();
      reject(error ?? new ConnectionError('CONNECTION_CLOSED', `server closed the connection during ${phase}`));
    };
    conn.on('message', onMessage);
    conn.on('close', onClose);
  });
}

function failWith(conn: FramedConnection, error: FrameshError): FrameshError {
  conn.fail(error);
  return error;
}
