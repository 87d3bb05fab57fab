import type { ServerResponse } from 'node:http';

/**
 * The Content-Security-Policy of every response (docs/SECURITY.md, "Browser terminal"): scripts only
 * from this origin (no inline script, no eval), connections only back to it, no framing, no forms, no
 * base URL. xterm.js sizes its rows with <style> elements it makes at run time, so styles also allow one
 * per-page nonce that only the page's own script attaches to the elements xterm creates — not
 * 'unsafe-inline'.
 */
export function contentSecurityPolicy(styleNonce?: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self'${styleNonce ? ` 'nonce-${styleNonce}'` : ''}`,
    "connect-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Headers every response carries; HSTS only over HTTPS. */
export function setSecurityHeaders(res: ServerResponse, options: { secure: boolean; styleNonce?: string }): void {
  res.setHeader('Content-Security-Policy', contentSecurityPolicy(options.styleNonce));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  if (options.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
}
