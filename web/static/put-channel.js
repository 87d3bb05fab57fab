// An upload from the browser over a `put` channel (docs/PROTOCOL.md §9.1): the same verified path as
// `framesh put` — the server writes a partial file, checks size and SHA-256, and renames it into place;
// it confines `path` and `name` to its file root (a name such as "../x" is refused with PATH_ESCAPE).

/** Wait while this much is queued in the browser's socket (§5.1: data waits for the socket). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * Uploads `file` into directory `dir` under its own name. `progress(sent, total)` follows the bytes the
 * socket took. Resolves with the server's `done` ({ path, size, sha256 }); rejects with { code, message }.
 */
export async function putFile(socket, file, dir, progress) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const sha256 = hex(await crypto.subtle.digest('SHA-256', bytes));
  return new Promise((resolve, reject) => {
    let sendWindow = 0;
    let sent = 0;
    let finished = false;
    let pumping = false;
    const channel = {
      handle(header) {
        switch (header.type) {
          case 'opened':
            // Start over (seek 0): resume is off for browser uploads.
            socket.send({ type: 'seek', ch: channel.ch, offset: 0 });
            sendWindow = header.window;
            void pump();
            return;
          case 'window':
            sendWindow += header.bytes;
            void pump();
            return;
          case 'done':
            end();
            progress(bytes.length, bytes.length);
            resolve({ path: header.path, size: header.size, sha256: header.sha256 });
            return;
          case 'error':
            end();
            reject(Object.assign(new Error(header.message), { code: header.code }));
            return;
          default:
            return;
        }
      },
      lost() {
        if (finished) return;
        finished = true;
        reject(Object.assign(new Error('the connection was lost during the upload'), { code: 'CONNECTION_CLOSED' }));
      },
    };
    const end = () => {
      finished = true;
      socket.release(channel.ch);
    };
    const pump = async () => {
      if (pumping) return;
      pumping = true;
      try {
        while (!finished && sent < bytes.length && sendWindow > 0) {
          if (socket.bufferedBytes > MAX_BUFFERED_BYTES) {
            await new Promise((r) => setTimeout(r, 10));
            continue;
          }
          const n = Math.min(socket.maxChunkBytes, sendWindow, bytes.length - sent);
          socket.send({ type: 'data', ch: channel.ch, stream: 'file' }, bytes.subarray(sent, sent + n));
          sent += n;
          sendWindow -= n;
          progress(sent, bytes.length);
        }
        if (!finished && sent === bytes.length && !channel.doneSent) {
          channel.doneSent = true;
          socket.send({ type: 'done', ch: channel.ch, sha256 });
        }
      } finally {
        pumping = false;
      }
    };
    const path = dir.endsWith('/') ? dir : `${dir}/`;
    socket.open({ kind: 'put', path, name: file.name, size: bytes.length, resume: false, window: 1024 }, channel);
  });
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}
