import {
  isWireErrorCode,
  type ConnectionErrorCode,
  type FrameshErrorCode,
  type LocalFileErrorCode,
  type RemoteErrorCode,
  type SecurityErrorCode,
} from './error-codes.js';

export type * from './error-codes.js';

/**
 * Brand shared by every copy of this package (Symbol.for is process-wide): an
 * error made by another copy — two versions in one node_modules tree — still
 * passes `instanceof FrameshError` and `instanceof` its own class, which is
 * matched by name. The value lists the class names from the error's own class
 * up to FrameshError.
 */
const BRAND = Symbol.for('framesh.error');

/**
 * Every failure framesh reports is a {@link FrameshError} with a stable `code`.
 * Codes are part of the public contract: they travel on the wire in `error`
 * frames (docs/PROTOCOL.md §7) and are listed in docs/ERRORS.md; each
 * subclass narrows `code` to its own literal codes.
 */
export class FrameshError extends Error {
  declare readonly code: FrameshErrorCode;

  constructor(code: FrameshErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    // `declare` above: subclasses narrow the type without a class field that would reset the value.
    (this as { code: FrameshErrorCode }).code = code;
    this.name = new.target.name;
    Object.defineProperty(this, BRAND, { value: classNames(new.target), enumerable: false });
  }

  static override [Symbol.hasInstance](instance: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, instance)) return true;
    const names =
      typeof instance === 'object' && instance !== null ? (instance as { [BRAND]?: unknown })[BRAND] : undefined;
    return Array.isArray(names) && names.includes(this.name);
  }
}

function classNames(target: abstract new (...args: never[]) => unknown): readonly string[] {
  const names: string[] = [];
  for (let c: unknown = target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
    names.push(c.name);
    if (c === FrameshError) break;
  }
  return names;
}

/** The peer broke the protocol: malformed frame, unknown message, bad state. */
export class ProtocolError extends FrameshError {
  declare readonly code: 'PROTOCOL';

  constructor(message: string, options?: { cause?: unknown }) {
    super('PROTOCOL', message, options);
  }
}

/** A frame or request exceeded a limit stated in docs/PROTOCOL.md §3. */
export class LimitError extends FrameshError {
  declare readonly code: 'LIMIT';

  constructor(message: string) {
    super('LIMIT', message);
  }
}

/** The peer speaks another major protocol version. */
export class VersionError extends FrameshError {
  declare readonly code: 'VERSION';

  constructor(message: string) {
    super('VERSION', message);
  }
}

/** Input ended in the middle of a frame. */
export class UnexpectedEofError extends FrameshError {
  declare readonly code: 'UNEXPECTED_EOF';

  constructor(bufferedBytes: number) {
    super('UNEXPECTED_EOF', `connection ended in the middle of a frame (${bufferedBytes} bytes buffered)`);
  }
}

/** The connection closed, reset or could not be made. */
export class ConnectionError extends FrameshError {
  declare readonly code: ConnectionErrorCode;

  constructor(code: ConnectionErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** An operation took longer than its deadline. */
export class TimeoutError extends FrameshError {
  declare readonly code: 'TIMEOUT';

  constructor(message: string) {
    super('TIMEOUT', message);
  }
}

/** `run()` collected more output than its `maxBuffer`. */
export class MaxBufferError extends FrameshError {
  declare readonly code: 'MAX_BUFFER';

  constructor(maxBuffer: number) {
    super('MAX_BUFFER', `command output exceeded maxBuffer (${maxBuffer} bytes)`);
  }
}

/**
 * An error the remote side reported in an `error` frame. Raised in the caller's
 * context, so its stack shows the local call that failed; `remoteMessage` keeps
 * the peer's text. A code this version does not know (a newer or a hostile
 * peer) becomes REMOTE_UNKNOWN, so `code` stays one of the listed codes;
 * `remoteCode` keeps the peer's code as sent.
 */
export class RemoteError extends FrameshError {
  declare readonly code: RemoteErrorCode;
  readonly remoteMessage: string;
  readonly remoteCode: string;

  constructor(code: string, remoteMessage: string) {
    super(isWireErrorCode(code) ? code : 'REMOTE_UNKNOWN', remoteMessage);
    this.remoteMessage = remoteMessage;
    this.remoteCode = code;
  }
}

/** An error about a local file, with the same codes as the server's (docs/ERRORS.md). */
export class LocalFileError extends FrameshError {
  declare readonly code: LocalFileErrorCode;

  constructor(code: LocalFileErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Authentication or host verification failed; `code` says which check (see docs/ERRORS.md). */
export class SecurityError extends FrameshError {
  declare readonly code: SecurityErrorCode;

  constructor(code: SecurityErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The line that separates a failure's own stack from the local call that started the work. */
const CALLER_SITE_MARK = '    --- remote call started at ---';

/** Where a public call was made: its stack, captured at once and turned into text only when needed. */
export interface CallerSite {
  readonly stack?: string;
}

/**
 * The stack of the public call that is running now, captured before any await, without the
 * frames of `below` (the library's own entry point) and what it called. V8 records the frames now
 * and formats them on the first read of `stack`, which only a failure does: formatting every call's
 * stack had cost ~0.1 ms a command (100 clients × `echo hi`).
 */
export function captureCallerSite(
  below: ((...args: never[]) => unknown) | (abstract new (...args: never[]) => unknown),
): CallerSite {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, below);
  return holder;
}

/**
 * Appends the caller's site to a failure's stack (once), so an error the server reported, which
 * surfaces in a socket callback, still shows which local call it belongs to (docs/API.md).
 */
export function appendCallerSite(error: unknown, site: CallerSite | undefined): void {
  if (!site || !(error instanceof Error) || !error.stack || error.stack.includes(CALLER_SITE_MARK)) return;
  const frames = site.stack?.split('\n').slice(1).join('\n');
  if (!frames) return;
  error.stack = `${error.stack}\n${CALLER_SITE_MARK}\n${frames}`;
}

/** Resolves as `work` does; a rejection carries `site` in its stack (see {@link appendCallerSite}). */
export async function withCallerSite<T>(work: Promise<T>, site: CallerSite | undefined): Promise<T> {
  try {
    return await work;
  } catch (error) {
    appendCallerSite(error, site);
    throw error;
  }
}

/** A library or CLI option out of its range (a duration beyond what timers can hold, a malformed limit). */
export class InvalidOptionError extends FrameshError {
  declare readonly code: 'INVALID_OPTION';

  constructor(message: string) {
    super('INVALID_OPTION', message);
  }
}
