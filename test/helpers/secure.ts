/**
 * Secure (TLS + key auth) servers and clients for tests: each gets its own
 * temporary FRAMESH_HOME, a client key listed in the server's authorized_keys,
 * and cleanup after the test file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import {
  connect,
  createServer,
  type ConnectOptions,
  type FrameshClient,
  type FrameshServer,
  type ServerOptions,
} from '../../src/index.js';
import { generateKeyFiles, type KeyPair } from '../../src/security/key-files.js';
import { tempDir } from './temp-dirs.js';

export { tempDir };

export interface SecureSetup {
  readonly server: FrameshServer;
  readonly port: number;
  readonly serverHome: string;
  readonly clientHome: string;
  readonly clientKey: KeyPair;
  readonly authorizedKeysFile: string;
  /** Connects with the authorized client key, trusting the server on first use. */
  client(options?: Partial<ConnectOptions>): Promise<FrameshClient>;
}

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A client home with a fresh key pair. */
export function clientHomeWithKey(comment = 'test@framesh'): { home: string; key: KeyPair } {
  const home = tempDir('framesh-client-');
  return { home, key: generateKeyFiles(path.join(home, 'id_ed25519'), comment) };
}

export async function startSecureServer(options: ServerOptions = {}): Promise<SecureSetup> {
  const serverHome = tempDir('framesh-server-');
  const { home: clientHome, key: clientKey } = clientHomeWithKey();
  const authorizedKeysFile = path.join(serverHome, 'authorized_keys');
  writeFileSync(authorizedKeysFile, readFileSync(path.join(clientHome, 'id_ed25519.pub')));
  const server = createServer({ home: serverHome, killGraceMs: 500, authFailureDelayMs: 20, ...options });
  const { port } = await server.listen(0, '127.0.0.1');
  cleanups.push(() => server.close(200));
  return {
    server,
    port,
    serverHome,
    clientHome,
    clientKey,
    authorizedKeysFile,
    async client(clientOptions = {}) {
      const client = await connect({ host: '127.0.0.1', port, home: clientHome, acceptNew: true, ...clientOptions });
      cleanups.push(() => client.close());
      return client;
    },
  };
}
