import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { FrameshSocket, type PageChannel } from '../../web/static/framesh-socket.js';
import { startWebServer } from './web-helpers.js';

/**
 * The page's own modules (framesh-socket.js over resumable-transport.js) run in Node against the real
 * server, with `ws` standing in for the browser's WebSocket, while the server cuts every socket again and
 * again: 4 MiB through `cat` must come back byte-exact, none lost, none doubled (PROTOCOL.md §12.3).
 */

const saved = { WebSocket: (globalThis as { WebSocket?: unknown }).WebSocket, fetch: globalThis.fetch };
after(() => {
  (globalThis as { WebSocket?: unknown }).WebSocket = saved.WebSocket;
  globalThis.fetch = saved.fetch;
});

/** What a browser adds by itself: Origin and the cookie on the upgrade, the page's origin for fetch('/session'). */
function actAsBrowser(origin: string, cookie: string): void {
  class PageWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, { headers: { Origin: origin, Cookie: cookie } });
    }
  }
  (globalThis as { WebSocket?: unknown }).WebSocket = PageWebSocket;
  globalThis.fetch = (input, init) =>
    saved.fetch(new URL(String(input), origin), { ...init, headers: { Cookie: cookie } });
}

/** `cat` on an exec channel: sends `data` within the server's window, returns credit for what came back. */
function echoThrough(socket: FrameshSocket, data: Buffer): Promise<Buffer> {
  const WINDOW = 256 * 1024;
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    let sendWindow = 0;
    let sent = 0;
    let credit = 0;
    const pump = (): void => {
      while (sent < data.length && sendWindow > 0 && socket.bufferedBytes < 1024 * 1024) {
        const n = Math.min(64 * 1024, sendWindow, data.length - sent);
        socket.send({ type: 'data', ch: channel.ch, stream: 'stdin' }, data.subarray(sent, sent + n));
        sent += n;
        sendWindow -= n;
      }
      if (sent < data.length && sendWindow > 0) setTimeout(pump, 5);
      else if (sent === data.length && !eofSent) {
        eofSent = true;
        socket.send({ type: 'eof', ch: channel.ch, stream: 'stdin' });
      }
    };
    let eofSent = false;
    const channel: PageChannel = {
      handle(header, body) {
        if (header.type === 'opened') sendWindow = header.window as number;
        else if (header.type === 'window') sendWindow += header.bytes as number;
        else if (header.type === 'data') {
          out.push(Buffer.from(body));
          credit += body.length;
          if (credit >= WINDOW / 2) {
            socket.send({ type: 'window', ch: channel.ch, bytes: credit });
            credit = 0;
          }
        } else if (header.type === 'exit') return resolve(Buffer.concat(out));
        else if (header.type === 'error') return reject(new Error(`${String(header.code)}: ${String(header.message)}`));
        pump();
      },
      lost() {
        reject(new Error('the stream was lost'));
      },
    };
    socket.open({ kind: 'exec', command: ['cat'], window: WINDOW }, channel);
  });
}

describe('the page’s resumable stream under repeated drops', () => {
  it('4 MiB through cat arrive byte-exact while the server cuts the socket every 40 ms', async () => {
    const setup = await startWebServer();
    const login = await fetch(setup.loginUrl(), { redirect: 'manual' });
    actAsBrowser(setup.origin, login.headers.get('set-cookie')!.split(';')[0]!);
    const socket = new FrameshSocket(`${setup.origin.replace(/^http/, 'ws')}/ws`);
    const states: string[] = [];
    socket.onstate = (state) => states.push(state);
    await socket.ready;
    const data = randomBytes(4 * 1024 * 1024);
    const cuts = setInterval(() => setup.web.dropSockets(), 40);
    try {
      const echoed = await echoThrough(socket, data);
      assert.equal(echoed.length, data.length);
      assert.equal(createHash('sha256').update(echoed).digest('hex'), createHash('sha256').update(data).digest('hex'));
    } finally {
      clearInterval(cuts);
    }
    assert.ok(states.filter((s) => s === 'resumed').length >= 3, `resumed ${states.length} times: ${states.join(' ')}`);
    assert.equal(setup.server.connectionCount, 1, 'one session all along');
    socket.close();
  });
});
