// The receiving end of the get floor (bench/files.mjs), in a fresh process: reads SIZE bytes and the
// sender's 32-byte SHA-256 from bench/peers/tls-file-send.mjs, hashes and writes them to OUT, syncs it
// as framesh does before its rename, checks the hash and prints MB/s. With `readback` it also reads OUT
// back and hashes it before the clock stops, as framesh's server does before it renames a put into place
// (the put floor).
// Usage: node tls-file-receive.mjs PORT OUT SIZE [readback]
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import tls from 'node:tls';

const [port, out, sizeText, mode] = process.argv.slice(2);
const SIZE = Number(sizeText);
const socket = tls.connect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: false });
socket.setNoDelay(true);
await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
const started = performance.now();
const hash = createHash('sha256');
const file = createWriteStream(out);
let bytes = 0;
const trailer = [];
// TLS hands over 16 KiB records; they are written 128 KiB at a time, as framesh writes its bodies (a
// 16 KiB write costs nearly as much as a 128 KiB one).
let pending = [];
let pendingBytes = 0;
const flush = () => {
  if (pendingBytes === 0) return;
  const ok = file.write(pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes));
  pending = [];
  pendingBytes = 0;
  if (!ok) {
    socket.pause();
    file.once('drain', () => socket.resume());
  }
};
socket.on('data', (chunk) => {
  const body = chunk.subarray(0, Math.max(0, Math.min(chunk.length, SIZE - bytes)));
  if (body.length < chunk.length) trailer.push(Buffer.from(chunk.subarray(body.length)));
  bytes += body.length;
  if (body.length === 0) return;
  hash.update(body);
  pending.push(body);
  pendingBytes += body.length;
  if (pendingBytes >= 128 * 1024) flush();
});
await new Promise((resolve, reject) => socket.once('end', resolve).once('error', reject));
flush();
await new Promise((resolve) => file.end(resolve));
const handle = await open(out, 'r+');
await handle.sync();
const stored = mode === 'readback' ? await hashBack(handle) : null;
await handle.close();
const seconds = (performance.now() - started) / 1000;
socket.destroy();
const digest = hash.digest();
if (bytes !== SIZE || !Buffer.concat(trailer).equals(digest) || (stored && !stored.equals(digest))) {
  console.error(`got ${bytes} bytes, or the SHA-256 differs`);
  process.exit(1);
}
console.log(SIZE / 2 ** 20 / seconds);

/** SHA-256 of the file read back 1 MiB at a time, the next read in flight while one is hashed. */
async function hashBack(file) {
  const back = createHash('sha256');
  const buffers = [Buffer.allocUnsafe(2 ** 20), Buffer.allocUnsafe(2 ** 20)];
  let at = 0;
  let next = file.read(buffers[0], 0, 2 ** 20, 0);
  for (let turn = 1; ; turn++) {
    const { bytesRead, buffer } = await next;
    if (bytesRead === 0) return back.digest();
    at += bytesRead;
    next = file.read(buffers[turn % 2], 0, 2 ** 20, at);
    back.update(buffer.subarray(0, bytesRead));
  }
}
