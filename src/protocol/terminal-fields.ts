import type { Field } from './message-fields.js';

/**
 * PROTOCOL.md §11: field descriptors for the terminal parts of the catalog (message-catalog.ts). A
 * terminal's type reaches the command's environment and terminfo lookups and its size reaches the kernel,
 * so every field is held to a narrow charset or range.
 */

export interface PtyRequest {
  /** Becomes TERM; 1-64 characters of [A-Za-z0-9._+-], first a letter or digit. */
  readonly term: string;
  readonly cols: number;
  readonly rows: number;
  readonly widthPx?: number;
  readonly heightPx?: number;
}

export const MAX_TERMINAL_CELLS = 4096;
export const MAX_TERMINAL_PIXELS = 65535;
/** What terminfo names look like: never a path or an escape sequence. */
const TERM_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;
/** OpenSSH's default SendEnv: LANG, LANGUAGE and LC_*. */
const LOCALE_NAME = /^(LANG|LANGUAGE|LC_[A-Z]{1,32})$/;
/** Locale values such as en_US.UTF-8, de_DE@euro, C.UTF-8, or LANGUAGE's de:en lists. */
const LOCALE_VALUE = /^[A-Za-z0-9._@:-]{0,256}$/;
const MAX_LOCALE_VARIABLES = 32;

type Check = (value: unknown, key: string) => string | undefined;

function required<T>(check: Check): Field<T, false> {
  return { optional: false, check };
}

function rangeCheck(min: number, max: number): Check {
  return (v, key) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? undefined
      : `${key} must be an integer from ${min} to ${max}`;
}

const cellsCheck = rangeCheck(1, MAX_TERMINAL_CELLS);
const pixelsCheck = rangeCheck(0, MAX_TERMINAL_PIXELS);

/** Columns or rows: 1-4096. */
export const terminalCells = (): Field<number, false> => required(cellsCheck);
/** Width or height in pixels: 0-65535 (0 = unknown). */
export const terminalPixels = (): Field<number, false> => required(pixelsCheck);

/** The `pty` object of `open` (§11.1). Errors name the inner field: "pty.cols must be ...". */
export const ptyRequest = (): Field<PtyRequest, false> =>
  required((v, key) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${key} must be an object`;
    const pty = v as Readonly<Record<string, unknown>>;
    if (typeof pty.term !== 'string' || !TERM_NAME.test(pty.term)) {
      return `${key}.term must be 1-64 characters of A-Z a-z 0-9 . _ + -, starting with a letter or digit`;
    }
    return (
      cellsCheck(pty.cols, `${key}.cols`) ??
      cellsCheck(pty.rows, `${key}.rows`) ??
      (pty.widthPx === undefined ? undefined : pixelsCheck(pty.widthPx, `${key}.widthPx`)) ??
      (pty.heightPx === undefined ? undefined : pixelsCheck(pty.heightPx, `${key}.heightPx`))
    );
  });

/** The `locale` object of `open` (§11.4): LANG, LANGUAGE and LC_* only, with plain values. */
export const localeRecord = (): Field<Readonly<Record<string, string>>, false> =>
  required((v, key) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${key} must be an object`;
    const entries = Object.entries(v);
    if (entries.length > MAX_LOCALE_VARIABLES) return `${key} has more than ${MAX_LOCALE_VARIABLES} variables`;
    for (const [name, value] of entries) {
      if (!LOCALE_NAME.test(name))
        return `${key} may hold only LANG, LANGUAGE and LC_* variables, not ${JSON.stringify(name)}`;
      if (typeof value !== 'string' || !LOCALE_VALUE.test(value))
        return `${key} ${name} must be 0-256 characters of A-Z a-z 0-9 . _ @ : -`;
    }
    return undefined;
  });

/** A field that must be absent (a shell channel's `command`). */
export const absent = (why: string): Field<never, true> => ({ optional: true, check: () => why });
