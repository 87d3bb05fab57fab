/**
 * The one HTML page (GET /): no inline script or style; `styleNonce` is the page's CSP nonce, read by
 * terminal-page.js for the <style> elements xterm.js makes (security-headers.ts says why).
 */
export function terminalPage(styleNonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="framesh-style-nonce" content="${styleNonce}">
<title>framesh</title>
<link rel="stylesheet" href="/assets/xterm.css">
<link rel="stylesheet" href="/static/page.css">
<script type="module" src="/static/terminal-page.js"></script>
</head>
<body>
<header>
  <span class="brand">framesh</span>
  <span id="status" role="status">connecting…</span>
  <span class="spacer"></span>
  <span id="upload" hidden><progress id="upload-progress" max="1" value="0"></progress> <span id="upload-label"></span></span>
  <input id="download-path" type="text" placeholder="path to download" aria-label="path to download" spellcheck="false">
  <a id="download-link" href="/download" download>Download</a>
</header>
<main id="terminal" aria-label="terminal"></main>
</body>
</html>
`;
}
