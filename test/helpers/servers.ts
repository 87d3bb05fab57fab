/**
 * One place that starts servers and clients for tests, so a change of
 * defaults (TLS, keys) is made here once. Every server listens on port 0.
 */
import { after } from 'node:test';
import {
  connect,
  createServer,
  type ConnectOptions,
  type FrameshClient,
  type FrameshServer,
  type ServerOptions,
} from '../../src/index.js';

export interface TestServer {
  readonly server: FrameshServer;
  readonly port: number;
  /** A connected client, closed after the test file. */
  client(options?: Partial<ConnectOptions>): Promise<FrameshClient>;
}

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  await Promise.allSettled(cleanups.splice(0).map((fn) => fn()));
});

export async function startTestServer(options: ServerOptions = {}): Promise<TestServer> {
  const server = createServer({ insecure: true, killGraceMs: 500, ...options });
  const { port } = await server.listen(0, '127.0.0.1');
  cleanups.push(() => server.close(200));
  return {
    server,
    port,
    async client(clientOptions = {}) {
      const client = await connect({ host: '127.0.0.1', port, insecure: true, ...clientOptions });
      cleanups.push(() => client.close());
      return client;
    },
  };
}
