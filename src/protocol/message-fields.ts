import { MAX_TIMEOUT_MS, MAX_WINDOW_BYTES } from './constants.js';

/**
 * The building blocks of the message catalog (message-catalog.ts): one field
 * descriptor holds both the check the validator runs and, as a phantom, the
 * TypeScript type the field has once checked. Types are derived from the
 * descriptors, so a type and its check cannot drift apart.
 *
 * A check returns why a value is invalid, or undefined. It never throws and
 * allocates nothing for a valid value: `data` headers pass through here once
 * per frame.
 */
export interface Field<T, Optional extends boolean = boolean> {
  readonly optional: Optional;
  /** null: checked elsewhere (the frame decoder checks `len`, PROTOCOL.md §1). */
  readonly check: ((value: unknown, key: string) => string | undefined) | null;
  /** Phantom: never set; carries T for the derived types. */
  readonly type?: T;
}

type Check = NonNullable<Field<unknown>['check']>;

function field<T>(check: Check | null): Field<T, false> {
  return { optional: false, check };
}

/** The field may be absent; when present it must pass `inner`. */
export function optional<T>(inner: Field<T, false>): Field<T, true> {
  return { optional: true, check: inner.check };
}

export function nullable<T>(inner: Field<T, false>): Field<T | null, false> {
  const check = inner.check;
  if (!check) return field(null);
  return field((v, key) => {
    if (v === null) return undefined;
    const why = check(v, key);
    return why === undefined ? undefined : `${why} or null`;
  });
}

export const string = (): Field<string, false> =>
  field((v, key) => (typeof v === 'string' ? undefined : `${key} must be a string`));

export const boolean = (): Field<boolean, false> =>
  field((v, key) => (typeof v === 'boolean' ? undefined : `${key} must be a boolean`));

export const integer = (): Field<number, false> =>
  field((v, key) => (typeof v === 'number' && Number.isInteger(v) ? undefined : `${key} must be an integer`));

export const safeInteger = (): Field<number, false> =>
  field((v, key) => (typeof v === 'number' && Number.isSafeInteger(v) ? undefined : `${key} must be an integer`));

export const positiveInteger = (): Field<number, false> => field(checkPositive);

export const nonNegativeInteger = (): Field<number, false> =>
  field((v, key) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? undefined : `${key} must be a non-negative integer`,
  );

/** A channel id: PROTOCOL.md §4, a positive integer. */
export const channelId = (): Field<number, false> => field(checkPositive);

/** PROTOCOL.md §5: a window is positive and never exceeds 2^31-1. */
export const windowBytes = (): Field<number, false> =>
  field((v, key) => checkPositive(v, key) ?? ((v as number) > MAX_WINDOW_BYTES ? `${key} exceeds 2^31-1` : undefined));

/** PROTOCOL.md §4.1: a duration in ms, 1 to 2^31-1 (many runtimes' timers fire at once beyond it). */
export const timeoutMs = (): Field<number, false> =>
  field((v, key) => checkPositive(v, key) ?? ((v as number) > MAX_TIMEOUT_MS ? `${key} exceeds 2^31-1` : undefined));

/** PROTOCOL.md §3: a positive integer of at least `min`. */
export const integerAtLeast = (min: number): Field<number, false> =>
  field((v, key) => checkPositive(v, key) ?? ((v as number) < min ? `${key} must be at least ${min}` : undefined));

/** The body length, already checked by the frame decoder (PROTOCOL.md §1). */
export const frameLength = (): Field<number, true> => ({ optional: true, check: null });

export function oneOf<const V extends readonly string[]>(values: V): Field<V[number], false> {
  const allowed = new Set<unknown>(values);
  const quoted = values.map((x) => JSON.stringify(x));
  const listed = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
  return field((v, key) => (allowed.has(v) ? undefined : `${key} must be ${listed}`));
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;
/** A SHA-256 as 64 lower-case hex digits. */
export const sha256Hex = (): Field<string, false> =>
  field((v, key) => (typeof v === 'string' && HEX_SHA256.test(v) ? undefined : `${key} must be 64 hex digits`));

/** A path under the server's file root (PROTOCOL.md §9): non-empty, no NUL. */
export const filePath = (): Field<string, false> =>
  field((v, key) =>
    typeof v === 'string' && v.length > 0 && !v.includes('\0')
      ? undefined
      : `${key} must be a non-empty string without NUL`,
  );

export const stringArray = (): Field<readonly string[], false> =>
  field((v, key) =>
    Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : `${key} must be an array of strings`,
  );

export const stringRecord = (): Field<Readonly<Record<string, string>>, false> =>
  field((v, key) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${key} must be an object`;
    return Object.values(v).every((x) => typeof x === 'string') ? undefined : `${key} values must be strings`;
  });

/** exec's command: a string runs through the shell, an argv runs without one (PROTOCOL.md §4.1). */
export const command = (): Field<string | readonly string[], false> =>
  field((v, key) => {
    if (typeof v === 'string' && v.length > 0) return undefined;
    if (Array.isArray(v) && v.length > 0 && v.every((a) => typeof a === 'string')) return undefined;
    return `${key} must be a non-empty string or a non-empty array of strings`;
  });

/** A nested object whose fields are checked in turn; errors name the inner field. */
export function object<S extends Shape>(shape: S): Field<Infer<S>, false> {
  const check = compileShape(shape);
  return field((v, key) => {
    if (typeof v !== 'object' || v === null) return `${key} must be an object`;
    return check(v as Readonly<Record<string, unknown>>);
  });
}

function checkPositive(v: unknown, key: string): string | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 ? undefined : `${key} must be a positive integer`;
}

/** A set of named fields: a message's, a channel kind's, or a nested object's. */
export type Shape = Readonly<Record<string, Field<unknown>>>;

type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends Field<unknown, false> ? K : never }[keyof S];
type OptionalKeys<S extends Shape> = Exclude<keyof S, RequiredKeys<S>>;
type FieldType<F> = F extends Field<infer T> ? T : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The checked type of a shape: required fields required, optional ones optional, all readonly. */
export type Infer<S extends Shape> = Simplify<
  { readonly [K in keyof Pick<S, RequiredKeys<S>>]: FieldType<S[K]> } & {
    readonly [K in keyof Pick<S, OptionalKeys<S>>]?: FieldType<S[K]>;
  }
>;

/** A shape's checks as one function: returns why `h` is invalid, or undefined. */
export type CompiledShape = (h: Readonly<Record<string, unknown>>) => string | undefined;

const SAFE_KEY = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Turns a shape into one function that reads each field by its literal name,
 * in table order (the first failure wins, so errors are stable). Generated
 * rather than looped: a loop reading `h[key]` for varying keys is a megamorphic
 * lookup, about 4x slower on the data-frame path (see ARCHITECTURE.md). The
 * keys come from this package's own table, never from the network, and are
 * checked to be plain identifiers before they are written into the source.
 */
export function compileShape(shape: Shape): CompiledShape {
  const checks: Check[] = [];
  const lines: string[] = [];
  for (const [key, f] of Object.entries(shape)) {
    if (!f.check) continue;
    if (!SAFE_KEY.test(key)) throw new Error(`message field name ${JSON.stringify(key)} is not a plain name`);
    const k = JSON.stringify(key);
    const test = `(w = c[${checks.length}](v, ${k})) !== undefined`;
    lines.push(`v = h[${k}]; if (${f.optional ? 'v !== undefined && ' : ''}${test}) return w;`);
    checks.push(f.check);
  }
  const source = `return function check(h) { let v, w;\n${lines.join('\n')}\nreturn undefined; };`;
  return new Function('c', source)(checks) as CompiledShape;
}
