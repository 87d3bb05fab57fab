/**
 * PROTOCOL.md §11: checks of the terminal fields of `open` and `resize`. A terminal's type reaches the
 * command's environment and terminfo lookups, its size reaches the kernel, so every field is checked
 * against a narrow charset or range; `fail` throws the caller's PROTOCOL error.
 */

type Fail = (why: string) => never;
type Fields = Readonly<Record<string, unknown>>;

/** Terminal type: what terminfo names look like, never a path or an escape sequence. */
const TERM_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;
export const MAX_TERMINAL_CELLS = 4096;
export const MAX_TERMINAL_PIXELS = 65535;
/** OpenSSH's default SendEnv: LANG, LANGUAGE and LC_*. */
const LOCALE_NAME = /^(LANG|LANGUAGE|LC_[A-Z]{1,32})$/;
/** Locale values such as en_US.UTF-8, de_DE@euro, C.UTF-8, or LANGUAGE's de:en lists. */
const LOCALE_VALUE = /^[A-Za-z0-9._@:-]{0,256}$/;
const MAX_LOCALE_VARIABLES = 32;

export function checkPty(value: unknown, fail: Fail): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('pty must be an object');
  const pty = value as Fields;
  if (typeof pty.term !== 'string' || !TERM_PATTERN.test(pty.term)) {
    fail('pty.term must be 1-64 characters of A-Z a-z 0-9 . _ + -, starting with a letter or digit');
  }
  checkTerminalSize(pty, (why) => fail(`pty.${why}`));
}

/** cols/rows 1-4096, optional widthPx/heightPx 0-65535 (open's pty object and resize alike). */
export function checkTerminalSize(fields: Fields, fail: Fail): void {
  for (const key of ['cols', 'rows']) {
    const v = fields[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_TERMINAL_CELLS) {
      fail(`${key} must be an integer from 1 to ${MAX_TERMINAL_CELLS}`);
    }
  }
  for (const key of ['widthPx', 'heightPx']) {
    const v = fields[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_TERMINAL_PIXELS) {
      fail(`${key} must be an integer from 0 to ${MAX_TERMINAL_PIXELS}`);
    }
  }
}

export function checkLocale(value: unknown, fail: Fail): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('locale must be an object');
  const entries = Object.entries(value as Fields);
  if (entries.length > MAX_LOCALE_VARIABLES) fail(`locale has more than ${MAX_LOCALE_VARIABLES} variables`);
  for (const [name, v] of entries) {
    if (!LOCALE_NAME.test(name)) fail(`locale may hold only LANG, LANGUAGE and LC_* variables, not ${JSON.stringify(name)}`);
    if (typeof v !== 'string' || !LOCALE_VALUE.test(v)) fail(`locale ${name} must be 0-256 characters of A-Z a-z 0-9 . _ @ : -`);
  }
}
