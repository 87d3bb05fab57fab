// The login shell on a terminal (docs/PROTOCOL.md §11) from the browser, with both windows of §5:
// output credit goes back only once xterm.js has drawn the bytes, and input waits for the server's credit.

/** Output window granted to the server; credit returns once half of it was drawn. */
const OUTPUT_WINDOW_BYTES = 1024 * 1024;

export class ShellChannel {
  /**
   * @param socket a FrameshSocket whose hello exchange is done
   * @param options { cols, rows, output(bytes, drawn), ended({ code, signal, error }) }
   */
  constructor(socket, options) {
    this.socket = socket;
    this.options = options;
    this.sendWindow = 0;
    this.opened = false;
    this.pending = [];
    this.credit = 0;
    this.done = false;
    socket.open(
      {
        kind: 'shell',
        window: OUTPUT_WINDOW_BYTES,
        pty: { term: 'xterm-256color', cols: options.cols, rows: options.rows },
        // xterm.js reads and writes UTF-8, so the shell should too (PROTOCOL.md §11.4).
        locale: { LANG: 'C.UTF-8' },
      },
      this,
    );
  }

  /** Keystrokes (or pasted text) as bytes, sent as the stdin window allows. */
  write(bytes) {
    if (this.done) return;
    this.pending.push(bytes);
    this.flush();
  }

  resize(cols, rows) {
    if (!this.done) this.socket.send({ type: 'resize', ch: this.ch, cols, rows });
  }

  flush() {
    if (!this.opened) return;
    while (this.pending.length > 0 && this.sendWindow > 0) {
      const head = this.pending[0];
      const n = Math.min(head.length, this.sendWindow, this.socket.maxChunkBytes);
      this.socket.send({ type: 'data', ch: this.ch, stream: 'stdin' }, head.subarray(0, n));
      this.sendWindow -= n;
      if (n === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(n);
    }
  }

  handle(header, body) {
    switch (header.type) {
      case 'opened':
        this.opened = true;
        this.sendWindow = header.window;
        this.flush();
        return;
      case 'window':
        this.sendWindow += header.bytes;
        this.flush();
        return;
      case 'data':
        this.options.output(body, () => this.drawn(body.length));
        return;
      case 'exit':
        this.finish({ code: header.code, signal: header.signal, error: null });
        return;
      case 'error':
        this.finish({ code: null, signal: null, error: { code: header.code, message: header.message } });
        return;
      default:
        return;
    }
  }

  drawn(bytes) {
    this.credit += bytes;
    if (this.credit >= OUTPUT_WINDOW_BYTES / 2 && !this.done) {
      this.socket.send({ type: 'window', ch: this.ch, bytes: this.credit });
      this.credit = 0;
    }
  }

  finish(result) {
    if (this.done) return;
    this.done = true;
    this.socket.release(this.ch);
    this.options.ended(result);
  }

  lost() {
    this.done = true;
  }
}
