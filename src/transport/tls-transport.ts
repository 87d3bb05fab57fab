import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import net from 'node:net';
import { ConnectionError, type FrameshError, SecurityError, TimeoutError } from '../errors.js';
import type { HostKeyPolicy, KnownHosts } from '../security/known-hosts.js';
import { fingerprintOf } from '../security/public-key-format.js';
import { toConnectError } from './connect-errors.js';
import { LentReads, registerLentReads } from './lent-reads.js';
import type { Transport, TransportTarget } from './transport.js';

/**
 * TLS 1.3 to a framesh server. There is no CA: the server proves its identity
 * by its key, whose fingerprint must match known_hosts or a pin before a single
 * protocol byte is sent (docs/SECURITY.md).
 */
export class TlsTransport implements Transport {
  private readonly knownHosts: KnownHosts;
  private readonly policy: HostKeyPolicy;
  /** Fingerprint the server presented on the last connect. */
  serverFingerprint: string | null = null;

  constructor(knownHosts: KnownHosts, policy: HostKeyPolicy) {
    this.knownHosts = knownHosts;
    this.policy = policy;
  }

  connect(target: TransportTarget, timeoutMs: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const reads = new LentReads();
      // tls.connect takes net.connect's `onread` (Node ≥ 14); @types/node 20 does not list it.
      const options: tls.ConnectionOptions & Pick<net.TcpSocketConnectOpts, 'onread'> = {
        host: target.host,
        port: target.port,
        minVersion: 'TLSv1.3',
        // Identity is checked below against the key fingerprint, not against a CA.
        rejectUnauthorized: false,
        ...(net.isIP(target.host) === 0 && { servername: target.host }),
        onread: reads.onread,
      };
      const socket = tls.connect(options);
      registerLentReads(socket, reads);
      socket.setNoDelay(true);
      let settled = false;
      /** The host-key prompt was shown on this connection. */
      let asked = false;
      const fail = (error: FrameshError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new TimeoutError(`TLS connection to ${target.host}:${target.port} timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.once('error', (err: NodeJS.ErrnoException) => fail(toTlsError(err, target)));
      // While a person decides on the host key the server may give up on us (its auth grace); then the
      // answer decides: "yes" connects afresh below, "no" fails with its own error.
      socket.once('close', () => {
        if (!asked) fail(closedDuringHandshake(target));
      });
      socket.once('secureConnect', () => {
        const cert = socket.getPeerX509Certificate();
        if (!cert) return fail(new SecurityError('TLS_MISMATCH', 'server presented no certificate'));
        let fingerprint: string;
        try {
          fingerprint = fingerprintOf(cert.publicKey);
        } catch (err) {
          return fail(new SecurityError('HOST_KEY_MISMATCH', `server key is not Ed25519: ${(err as Error).message}`));
        }
        this.serverFingerprint = fingerprint;
        const confirm = this.policy.confirm;
        const policy: HostKeyPolicy = {
          ...this.policy,
          ...(confirm && {
            // A person may take longer than the connect timeout (or the server's auth grace) to read a
            // fingerprint: the timer stops while they decide, and a "yes" connects afresh (below).
            confirm: (hostPort: string, fp: string) => {
              asked = true;
              clearTimeout(timer);
              return confirm(hostPort, fp);
            },
          }),
        };
        this.knownHosts.verify(`${target.host}:${target.port}`, fingerprint, policy).then(
          () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            socket.removeAllListeners('error');
            socket.removeAllListeners('close');
            if (!asked) return resolve(socket);
            // The server may have given up on this connection during the prompt; the host is in
            // known_hosts now, so a new connection is checked against it like any later one.
            socket.destroy();
            resolve(this.connect(target, timeoutMs));
          },
          (err: FrameshError) => fail(err),
        );
      });
    });
  }
}

function toTlsError(err: NodeJS.ErrnoException, target: TransportTarget): FrameshError {
  const text = `${err.code ?? ''} ${err.message}`;
  if (
    /WRONG_VERSION_NUMBER|wrong version number|packet length too long|record layer failure|unexpected eof/i.test(text)
  ) {
    return new SecurityError(
      'TLS_MISMATCH',
      `${target.host}:${target.port} does not speak TLS (is the server running with --insecure? then connect with --insecure)`,
      { cause: err },
    );
  }
  if (err.code && /^ERR_SSL|^ERR_TLS/.test(err.code)) {
    return new SecurityError(
      'TLS_MISMATCH',
      `TLS handshake with ${target.host}:${target.port} failed: ${err.message}`,
      { cause: err },
    );
  }
  if (err.code === 'ECONNRESET') {
    return new ConnectionError(
      'CONNECTION_RESET',
      `${target.host}:${target.port} reset the connection during the TLS handshake (${REFUSAL_HINT})`,
      { cause: err },
    );
  }
  return toConnectError(err, target);
}

const REFUSAL_HINT = 'the server may be refusing new connections: too many not yet authenticated';

function closedDuringHandshake(target: TransportTarget): FrameshError {
  return new ConnectionError(
    'CONNECTION_CLOSED',
    `${target.host}:${target.port} closed the connection during the TLS handshake (not a framesh TLS server, or ${REFUSAL_HINT})`,
  );
}
