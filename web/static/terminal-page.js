// The browser terminal page (docs/ARCHITECTURE.md, "web/"): xterm.js on a framesh shell channel, its
// size following the window, reconnection after a short drop, uploads by drag and drop, downloads.

// xterm.js sizes rows with <style> elements it creates; the page's CSP admits styles only from this
// origin or with the page's nonce, so each <style> made on this page carries it (security-headers.ts).
const styleNonce = document.querySelector('meta[name="framesh-style-nonce"]')?.content ?? '';
const createElement = document.createElement.bind(document);
document.createElement = (tag, options) => {
  const element = createElement(tag, options);
  if (String(tag).toLowerCase() === 'style') element.nonce = styleNonce;
  return element;
};

const { Terminal } = await import('/assets/xterm.mjs');
const { FitAddon } = await import('/assets/addon-fit.mjs');
const { FrameshSocket, webRequest } = await import('./framesh-socket.js');
const { ShellChannel } = await import('./shell-channel.js');
const { putFile } = await import('./put-channel.js');

const statusLine = document.getElementById('status');
const terminalElement = document.getElementById('terminal');
const term = new Terminal({
  cursorBlink: true,
  scrollback: 5000,
  fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace',
  fontSize: 14,
});
const fit = new FitAddon();
term.loadAddon(fit);
term.open(terminalElement);
fit.fit();
term.focus();

const encoder = new TextEncoder();
let socket = null;
let shell = null;
let cwd = null;

/** For the browser tests and for people debugging: the terminal's text, the state of the page. */
window.framesh = {
  term,
  state: 'connecting',
  text: () => {
    const buffer = term.buffer.active;
    const lines = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n');
  },
};

function setStatus(state, text) {
  window.framesh.state = state;
  statusLine.textContent = text;
  statusLine.dataset.state = state;
}

function connect() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const current = new FrameshSocket(`${scheme}://${location.host}/ws`);
  socket = current;
  current.onstate = (state, attempt, of) => {
    if (socket !== current) return;
    if (state === 'reconnecting')
      setStatus('reconnecting', `connection lost; reconnecting (attempt ${attempt} of ${of})…`);
    if (state === 'resumed') {
      // Same stream, same shell: nothing was lost, so nothing is written into the terminal.
      window.framesh.resumes = (window.framesh.resumes ?? 0) + 1;
      setStatus('connected', 'connected (resumed after a drop)');
    }
  };
  current.onclose = ({ state, byPage }) => {
    if (socket !== current || byPage) return;
    shell = null;
    if (state === 'ended') return loggedOut('the web session ended (expired or revoked)');
    if (state === 'lost') {
      term.write('\r\n[framesh: the connection was down too long and its shell ended; this is a new shell]\r\n');
      return connect();
    }
    if (state === 'failed') {
      setStatus('failed', 'cannot reconnect: the server does not answer; reload the page to try again');
      term.write('\r\n[framesh: cannot reconnect: the server does not answer]\r\n');
      return;
    }
    setStatus('ended', 'the server closed the connection; reload the page to start again');
  };
  current.ready.then(
    () => {
      window.framesh.connections = (window.framesh.connections ?? 0) + 1;
      setStatus('connected', 'connected');
      shell = new ShellChannel(current, {
        cols: term.cols,
        rows: term.rows,
        output: (bytes, drawn) => term.write(bytes, drawn),
        ended: ({ code, signal, error }) => {
          const how = error ? `${error.code}: ${error.message}` : signal ? `signal ${signal}` : `exit ${code}`;
          setStatus('ended', `shell ended (${how}); reload the page for a new one`);
          term.write(`\r\n[framesh: the shell ended (${how})]\r\n`);
          current.close();
        },
      });
    },
    () => {},
  );
}

function loggedOut(why) {
  setStatus('logged-out', `cannot reconnect: ${why}; run "framesh web-login HOST" and open the new link`);
  term.write(`\r\n[framesh: cannot reconnect: ${why}]\r\n`);
}

term.onData((text) => shell?.write(encoder.encode(text)));
term.onBinary((text) => shell?.write(Uint8Array.from(text, (c) => c.charCodeAt(0))));
term.onResize(({ cols, rows }) => shell?.resize(cols, rows));
new ResizeObserver(() => fit.fit()).observe(terminalElement);

// Copy and paste: Ctrl+Shift+C copies the selection; Ctrl+Shift+V (or the browser's paste) pastes.
term.attachCustomKeyEventHandler((event) => {
  if (event.type === 'keydown' && event.ctrlKey && event.shiftKey && event.code === 'KeyC') {
    const selection = term.getSelection();
    if (selection) void navigator.clipboard?.writeText(selection);
    return false;
  }
  if (event.type === 'keydown' && event.ctrlKey && event.shiftKey && event.code === 'KeyV') return false;
  return true;
});

/** The shell's current directory, asked of the server (PROTOCOL.md §12.2, `cwd`). */
async function currentDirectory() {
  if (!socket || !shell) throw Object.assign(new Error('not connected'), { code: 'CONNECTION_CLOSED' });
  const answer = await webRequest(socket, { action: 'cwd', terminal: shell.ch });
  cwd = answer.cwd;
  return cwd;
}

// Uploads: files dropped on the terminal go into the shell's current directory.
const uploadBox = document.getElementById('upload');
const uploadBar = document.getElementById('upload-progress');
const uploadLabel = document.getElementById('upload-label');
terminalElement.addEventListener('dragover', (event) => {
  event.preventDefault();
  event.dataTransfer.dropEffect = 'copy';
});
terminalElement.addEventListener('drop', (event) => {
  event.preventDefault();
  void upload([...event.dataTransfer.files]);
});

async function upload(files) {
  window.framesh.uploads ??= [];
  uploadBox.hidden = false;
  for (const file of files) {
    uploadLabel.textContent = `${file.name}: 0%`;
    uploadBar.value = 0;
    const record = { name: file.name, state: 'sending' };
    window.framesh.uploads.push(record);
    try {
      const dir = await currentDirectory();
      const done = await putFile(socket, file, dir, (sent, total) => {
        uploadBar.value = total === 0 ? 1 : sent / total;
        uploadLabel.textContent = `${file.name}: ${Math.floor((total === 0 ? 1 : sent / total) * 100)}%`;
      });
      Object.assign(record, { state: 'done', path: done.path, size: done.size });
      uploadLabel.textContent = `${file.name}: stored as ${done.path}`;
    } catch (err) {
      Object.assign(record, { state: 'failed', code: err.code, message: err.message });
      uploadLabel.textContent = `${file.name}: refused (${err.code}: ${err.message})`;
    }
  }
}

// Downloads: a path relative to the shell's current directory (or absolute), fetched with the cookie.
const downloadPath = document.getElementById('download-path');
const downloadLink = document.getElementById('download-link');
function updateDownloadLink() {
  const wanted = downloadPath.value.trim();
  const full = wanted.startsWith('/') || wanted.startsWith('~') || !cwd ? wanted : `${cwd}/${wanted}`;
  downloadLink.href = `/download?path=${encodeURIComponent(full)}`;
  downloadLink.setAttribute('download', full.split('/').pop() || 'download');
}
downloadPath.addEventListener('focus', () => currentDirectory().then(updateDownloadLink, () => {}));
downloadPath.addEventListener('input', updateDownloadLink);

connect();
