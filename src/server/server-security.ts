import tls from 'node:tls';
import { AuthorizedKeys } from '../security/authorized-keys.js';
import { ensureHome, homeFile, resolveHome } from '../security/framesh-home.js';

export {
  DEFAULT_AUTH_FAILURE_DELAY_MS,
  DEFAULT_AUTH_GRACE_MS,
  DEFAULT_KEEPALIVE_COUNT_MAX,
  DEFAULT_KEEPALIVE_INTERVAL_MS,
} from './server-defaults.js';
export { DEFAULT_MAX_STARTUPS, DEFAULT_PER_SOURCE_MAX_STARTUPS } from './startup-limits.js';

/** Options of createServer() that concern identity and authentication. */
export interface ServerSecurityOptions {
  /** State directory (default `$FRAMESH_HOME` or `~/.framesh`). */
  home?: string;
  /** Host private key (default HOME/host_ed25519, made on first start). */
  hostKeyFile?: string;
  /** Keys allowed in (default HOME/authorized_keys); re-read when it changes. */
  authorizedKeysFile?: string;
}

export interface ServerSecurity {
  readonly secureContext: tls.SecureContext;
  readonly authorizedKeys: AuthorizedKeys;
  /** The host key's fingerprint, as clients will see it. */
  readonly fingerprint: string;
  readonly hostKeyCreated: boolean;
}

/** Loads (or makes) the host identity and opens authorized_keys. TLS 1.3 only. */
/** The server's TLS 1.3 suite preference, fastest first. */
const TLS13_CIPHER_SUITES = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256';

export async function prepareServerSecurity(
  options: ServerSecurityOptions,
  onSkippedKey: (line: number, reason: string) => void,
): Promise<ServerSecurity> {
  const home = ensureHome(options.home ?? resolveHome());
  const keyFile = options.hostKeyFile ?? homeFile(home, 'host_ed25519');
  // Loaded on demand: the X.509 library is heavy, and clients (the CLI's exec) never need it.
  const { loadOrCreateHostIdentity } = await import('../security/host-identity.js');
  const identity = await loadOrCreateHostIdentity(
    keyFile,
    options.hostKeyFile ? `${keyFile}.cert.pem` : homeFile(home, 'host_cert.pem'),
  );
  const secureContext = tls.createSecureContext({
    key: identity.keyPem,
    cert: identity.certPem,
    minVersion: 'TLSv1.3',
    // All three TLS 1.3 suites stay allowed; AES-128-GCM is preferred because it is the fastest of them
    // with AES hardware (OpenSSH prefers it for the same reason), and it is no weaker in practice.
    ciphers: TLS13_CIPHER_SUITES,
    honorCipherOrder: true,
  });
  const authorizedKeys = new AuthorizedKeys(
    options.authorizedKeysFile ?? homeFile(home, 'authorized_keys'),
    onSkippedKey,
  );
  return { secureContext, authorizedKeys, fingerprint: identity.fingerprint, hostKeyCreated: identity.created };
}
