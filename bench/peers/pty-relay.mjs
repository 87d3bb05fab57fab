// The floor under framesh's terminal figures (bench/terminal.mjs): the least a Node server can do for a
// remote terminal — TLS in, node-pty, TLS out — with no framing, channels, windows or authentication.
// Runs `command` on a terminal for each connection; prints its port.
// Usage: node pty-relay.mjs KEY.pem CERT.pem COMMAND
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import tls from 'node:tls';

const pty = createRequire(import.meta.url)('node-pty');
const [keyFile, certFile, command] = process.argv.slice(2);
const server = tls.createServer(
  { key: readFileSync(keyFile), cert: readFileSync(certFile), minVersion: 'TLSv1.3' },
  (socket) => {
    socket.setNoDelay(true);
    const term = pty.spawn('/bin/sh', ['-c', command], { name: 'xterm', cols: 80, rows: 24, encoding: null });
    term.onData((data) => {
      if (socket.write(data)) return;
      term.pause();
      socket.once('drain', () => term.resume());
    });
    socket.on('data', (data) => term.write(data));
    socket.on('error', () => {});
    term.onExit(() => socket.end());
    socket.on('close', () => term.kill());
  },
);
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
