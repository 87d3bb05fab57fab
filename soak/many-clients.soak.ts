/**
 * 1000 legitimate clients at once (TLS and key authentication, the defaults), each running one command,
 * while 500 half-open connections sit on the server: TCP connects from other loopback addresses that
 * send nothing or only the first byte of a TLS record, and stay for the whole run. Every legitimate
 * client must succeed; the server's peak memory is reported.
 *
 * The server is told to expect this crowd (--max-startups above 1500, and --per-source-max-startups above
 * 1000, since the real clients all come from 127.0.0.1): with OpenSSH's defaults, as with framesh's, a
 * server refuses most of 1500 unauthenticated connections on purpose, and more than 5 from one address. What is soaked here
 * is that the server holds them all at once, serves every real client, and stays bounded.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { connect } from '../src/index.js';
import { figure, MiB, peakRss, scratch, serve } from './lib.js';

const CLIENTS = 1000;
const HALF_OPEN = 500;

function halfOpen(port: number, index: number): Promise<net.Socket> {
  // 127.0.0.2 … 127.0.0.251: many sources, as a real crowd would come from.
  const localAddress = `127.0.0.${2 + (index % 250)}`;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress }, () => {
      if (index % 2 === 1) socket.write(Buffer.from([0x16])); // a TLS record that never completes
      resolve(socket);
    });
    socket.on('error', reject);
  });
}

describe('a crowd', () => {
  it(`${CLIENTS} clients at once beside ${HALF_OPEN} half-open connections`, { timeout: 300_000 }, async () => {
    const base = scratch('crowd');
    const home = path.join(base, 'home');
    mkdirSync(home, { mode: 0o700 });
    const server = await serve(
      ['--max-startups', '2000', '--per-source-max-startups', '1200', '--auth-grace', '120000', '--max-channels', '4'],
      { env: { FRAMESH_HOME: home } },
    );

    const idle = await Promise.all(Array.from({ length: HALF_OPEN }, (_, i) => halfOpen(server.port, i)));
    const closedEarly = { count: 0 };
    for (const s of idle) s.on('close', () => (closedEarly.count += 1));

    const began = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: CLIENTS }, async (_, i) => {
        const client = await connect({ host: '127.0.0.1', port: server.port, home, timeoutMs: 240_000 });
        try {
          const { code, stdout } = await client.run(`echo client-${i}`);
          assert.equal(code, 0);
          assert.equal(stdout, `client-${i}\n`);
        } finally {
          await client.close();
        }
      }),
    );
    const wallMs = Date.now() - began;
    const failures = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    const peak = peakRss(server.pid);
    figure('crowd', {
      clients: CLIENTS,
      halfOpen: HALF_OPEN,
      failures: failures.length,
      wallMs,
      commandsPerSecond: Math.round((CLIENTS * 1000) / wallMs),
      halfOpenClosedEarly: closedEarly.count,
      serverPeakRssMiB: (peak / MiB).toFixed(1),
    });
    assert.equal(
      failures.length,
      0,
      `failures: ${failures
        .slice(0, 3)
        .map((f) => String(f.reason))
        .join('; ')}`,
    );
    for (const s of idle) s.destroy();
    await server.stop();
  });
});
