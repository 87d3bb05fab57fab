// The floor under framesh's get over TLS (bench/files.mjs): the least a Node server can do to send a
// file over TLS with its integrity checked as framesh checks it — read 128 KiB at a time, SHA-256 of
// every byte, the bytes into a TLS 1.3 socket — with no framing, channels, windows or authentication.
// Sends FILE to each connection, then closes it; prints its port.
// Usage: node tls-file-send.mjs KEY.pem CERT.pem FILE
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import tls from 'node:tls';

const [keyFile, certFile, file] = process.argv.slice(2);
const server = tls.createServer(
  { key: readFileSync(keyFile), cert: readFileSync(certFile), minVersion: 'TLSv1.3' },
  (socket) => {
    socket.setNoDelay(true);
    const hash = createHash('sha256');
    const source = createReadStream(file, { highWaterMark: 128 * 1024 });
    source.on('data', (chunk) => {
      hash.update(chunk);
      if (!socket.write(chunk)) {
        source.pause();
        socket.once('drain', () => source.resume());
      }
    });
    source.once('end', () => socket.end(hash.digest()));
    socket.on('error', () => source.destroy());
  },
);
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
