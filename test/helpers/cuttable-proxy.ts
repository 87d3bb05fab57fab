/**
 * A TCP proxy on loopback that can cut every connection through it after a
 * number of bytes in one direction: a real network failure, mid-transfer.
 */
import net from 'node:net';
import { once } from 'node:events';
import { after } from 'node:test';

export interface CuttableProxy {
  readonly port: number;
  /** Cut all connections once `bytes` more have gone client→server (or server→client). */
  cutAfter(bytes: number, direction: 'up' | 'down'): Promise<void>;
}

const proxies: net.Server[] = [];
after(() => proxies.forEach((p) => p.close()));

export async function startCuttableProxy(targetPort: number): Promise<CuttableProxy> {
  const sockets = new Set<net.Socket>();
  let budget: { direction: 'up' | 'down'; left: number; resolve: () => void } | null = null;
  const cutAll = (): void => {
    sockets.forEach((s) => s.resetAndDestroy());
    budget?.resolve();
    budget = null;
  };
  const server = net.createServer((inbound) => {
    const outbound = net.connect({ host: '127.0.0.1', port: targetPort });
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    const relay = (from: net.Socket, to: net.Socket, direction: 'up' | 'down'): void => {
      from.on('data', (chunk: Buffer) => {
        if (budget && budget.direction === direction) {
          if (chunk.length >= budget.left) {
            to.write(chunk.subarray(0, budget.left));
            cutAll();
            return;
          }
          budget.left -= chunk.length;
        }
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      });
    };
    relay(inbound, outbound, 'up');
    relay(outbound, inbound, 'down');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  proxies.push(server);
  return {
    port: (server.address() as net.AddressInfo).port,
    cutAfter: (bytes, direction) => new Promise((resolve) => (budget = { direction, left: bytes, resolve })),
  };
}
