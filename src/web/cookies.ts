/** The session cookie's name; `__Host-` over HTTPS, so no subdomain or path can set or shadow it. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-framesh' : 'framesh';
}

/**
 * The cookies of a `Cookie` header (RFC 6265 §5.4: `name=value` pairs split by `;`). Malformed pairs are
 * skipped; the first of two cookies with one name wins, as browsers send the most specific first.
 */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/**
 * The Set-Cookie value of a session: HttpOnly (no script reads it), SameSite=Strict (no other site's
 * page sends it), Path=/, Secure over HTTPS. No Max-Age: the server's deadlines decide, and a closed
 * browser forgets it.
 */
export function sessionCookie(secret: string, secure: boolean): string {
  return `${sessionCookieName(secure)}=${secret}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** A Set-Cookie value that removes the session cookie (after logout or revocation). */
export function clearedSessionCookie(secure: boolean): string {
  return `${sessionCookieName(secure)}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}
