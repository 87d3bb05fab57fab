/** The locale variables sent with a command, as OpenSSH's default SendEnv (LANG LC_*; PROTOCOL.md §11.4). */
export function localLocale(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const locale: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !/^(LANG|LANGUAGE|LC_[A-Z]{1,32})$/.test(name)) continue;
    // Only what the server accepts is sent; a stray value would fail the whole open.
    if (/^[A-Za-z0-9._@:-]{0,256}$/.test(value)) locale[name] = value;
  }
  return locale;
}
