import { MAX_TIMEOUT_MS, MAX_WINDOW_BYTES, MIN_LIMITS } from './constants.js';
import { ProtocolError } from '../errors.js';
import type { FrameHeader } from './frame.js';
import type { Message } from './messages.js';

/**
 * Checks a decoded header against the catalog (PROTOCOL.md §4–§7) and returns
 * it typed. Unknown types and missing or ill-typed fields are protocol errors.
 * Unknown extra fields are ignored, so minor versions can add them.
 */
export function validateMessage(header: FrameHeader): Message {
  const check = VALIDATORS[header.type];
  if (!check) throw new ProtocolError(`unknown message type "${header.type}"`);
  check(header as Fields);
  return header as unknown as Message;
}

type Fields = Readonly<Record<string, unknown>>;

const STREAMS = new Set(['stdout', 'stderr', 'stdin', 'file']);

const VALIDATORS: Readonly<Record<string, (h: Fields) => void>> = {
  hello(h) {
    str(h, 'version');
    str(h, 'agent');
    if (!Array.isArray(h.capabilities) || !h.capabilities.every((c) => typeof c === 'string')) {
      fail(h, 'capabilities must be an array of strings');
    }
    const limits = h.limits as Fields | undefined;
    if (typeof limits !== 'object' || limits === null) fail(h, 'limits must be an object');
    // PROTOCOL.md §3: the smallest limits a peer may state; below them no ordinary message would fit.
    for (const [key, min] of Object.entries(MIN_LIMITS)) {
      positive(h, key, limits[key]);
      if ((limits[key] as number) < min) fail(h, `limits.${key} must be at least ${min}`);
    }
  },
  error(h) {
    str(h, 'code');
    str(h, 'message');
    if (h.ch !== undefined) channel(h);
  },
  ping: (h) => nonNegative(h, 'id', h.id),
  pong: (h) => nonNegative(h, 'id', h.id),
  goaway: (h) => str(h, 'reason'),
  auth(h) {
    if (h.method !== 'ed25519') fail(h, 'method must be "ed25519"');
    str(h, 'publicKey');
    str(h, 'signature');
  },
  'auth-ok': (h) => str(h, 'fingerprint'),
  // PROTOCOL.md §4.1: only `ch` is checked here; the rest by validateOpenFields(), which the server
  // calls once the id is accepted, so a bad value fails that channel and not the whole connection.
  open: channel,
  opened(h) {
    channel(h);
    window(h, 'window');
  },
  data(h) {
    channel(h);
    stream(h);
  },
  eof(h) {
    channel(h);
    stream(h);
  },
  window(h) {
    channel(h);
    window(h, 'bytes');
  },
  signal(h) {
    channel(h);
    str(h, 'signal');
  },
  cancel: channel,
  seek(h) {
    channel(h);
    nonNegative(h, 'offset', h.offset);
  },
  done(h) {
    channel(h);
    if (h.sha256 !== undefined && !(typeof h.sha256 === 'string' && /^[0-9a-f]{64}$/.test(h.sha256))) fail(h, 'sha256 must be 64 hex digits');
    if (h.size !== undefined) nonNegative(h, 'size', h.size);
  },
  exit(h) {
    channel(h);
    if (h.code !== null && !(typeof h.code === 'number' && Number.isInteger(h.code))) fail(h, 'code must be an integer or null');
    if (h.signal !== null && typeof h.signal !== 'string') fail(h, 'signal must be a string or null');
  },
};

/**
 * PROTOCOL.md §4.1: checks an `open` whose `ch` was accepted: `window`, a known `kind` and that kind's
 * fields. Throws ProtocolError; the server answers it with a channel `error` (code PROTOCOL) for that
 * channel only.
 */
export function validateOpenFields(open: Message & { type: 'open' }): void {
  const h = open as unknown as Fields;
  window(h, 'window');
  const checkKind = typeof h.kind === 'string' && Object.hasOwn(OPEN_KINDS, h.kind) ? OPEN_KINDS[h.kind] : undefined;
  if (!checkKind) fail(h, `unsupported channel kind ${JSON.stringify(h.kind)}`);
  checkKind(h);
}

/**
 * PROTOCOL.md §4.1: the fields each channel kind adds to `open`. A new kind is
 * added here and in the server's channelKinds.
 */
const OPEN_KINDS: Readonly<Record<string, (h: Fields) => void>> = {
  exec(h) {
    const command = h.command;
    const isArgv = Array.isArray(command) && command.length > 0 && command.every((a) => typeof a === 'string');
    if (!(typeof command === 'string' && command.length > 0) && !isArgv) {
      fail(h, 'command must be a non-empty string or a non-empty array of strings');
    }
    if (h.cwd !== undefined) str(h, 'cwd');
    if (h.env !== undefined) {
      const env = h.env;
      if (typeof env !== 'object' || env === null || Array.isArray(env)) fail(h, 'env must be an object');
      if (!Object.values(env).every((v) => typeof v === 'string')) fail(h, 'env values must be strings');
    }
    if (h.timeoutMs !== undefined) {
      positive(h, 'timeoutMs', h.timeoutMs);
      // PROTOCOL.md §4.1: at most 2^31-1; Node (and many runtimes) fire longer timers at once.
      if ((h.timeoutMs as number) > MAX_TIMEOUT_MS) fail(h, 'timeoutMs exceeds 2^31-1');
    }
    if (h.login !== undefined && typeof h.login !== 'boolean') fail(h, 'login must be a boolean');
  },
  put(h) {
    filePath(h);
    if (h.name !== undefined) str(h, 'name');
    for (const key of ['size', 'mode', 'mtimeMs']) if (h[key] !== undefined) nonNegative(h, key, h[key]);
    for (const key of ['resume', 'mkdirs']) if (h[key] !== undefined && typeof h[key] !== 'boolean') fail(h, `${key} must be a boolean`);
  },
  get(h) {
    filePath(h);
    if (h.offset !== undefined) nonNegative(h, 'offset', h.offset);
    if (h.prefixSha256 !== undefined && !(typeof h.prefixSha256 === 'string' && /^[0-9a-f]{64}$/.test(h.prefixSha256))) {
      fail(h, 'prefixSha256 must be 64 hex digits');
    }
  },
  stat(h) {
    filePath(h);
    if (h.list !== undefined && typeof h.list !== 'boolean') fail(h, 'list must be a boolean');
  },
  mkdir(h) {
    filePath(h);
    if (h.mode !== undefined) nonNegative(h, 'mode', h.mode);
  },
};

function filePath(h: Fields): void {
  if (typeof h.path !== 'string' || h.path.length === 0 || h.path.includes('\0')) fail(h, 'path must be a non-empty string without NUL');
}

function fail(h: Fields, why: string): never {
  throw new ProtocolError(`invalid "${String(h.type)}" message: ${why}`);
}

function str(h: Fields, key: string): void {
  if (typeof h[key] !== 'string') fail(h, `${key} must be a string`);
}

function channel(h: Fields): void {
  const ch = h.ch;
  if (typeof ch !== 'number' || !Number.isSafeInteger(ch) || ch < 1) fail(h, 'ch must be a positive integer');
}

function stream(h: Fields): void {
  if (typeof h.stream !== 'string' || !STREAMS.has(h.stream)) fail(h, 'stream must be stdout, stderr or stdin');
}

function positive(h: Fields, key: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) fail(h, `${key} must be a positive integer`);
}

function nonNegative(h: Fields, key: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(h, `${key} must be a non-negative integer`);
}

function window(h: Fields, key: string): void {
  positive(h, key, h[key]);
  // PROTOCOL.md §5: a window never exceeds 2^31-1.
  if ((h[key] as number) > MAX_WINDOW_BYTES) fail(h, `${key} exceeds 2^31-1`);
}
