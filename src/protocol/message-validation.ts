import { ProtocolError } from '../errors.js';
import { CHANNEL_MESSAGES, CONNECTION_MESSAGES, OPEN_COMMON, OPEN_KINDS } from './message-catalog.js';
import { compileShape, type CompiledShape, type Shape } from './message-fields.js';
import type { FrameHeader } from './frame.js';
import type { Message } from './messages.js';

/**
 * Checks a decoded header against the catalog (message-catalog.ts, PROTOCOL.md
 * §4–§10) and returns it typed, without copying it. Unknown types and missing
 * or ill-typed fields are protocol errors. Unknown extra fields are ignored,
 * so minor versions can add them.
 */
export function validateMessage(header: FrameHeader): Message {
  const checks = MESSAGE_CHECKS.get(header.type);
  if (!checks) throw new ProtocolError(`unknown message type "${header.type}"`);
  check(header as Fields, checks);
  return header as unknown as Message;
}

/**
 * PROTOCOL.md §4.1: checks the rest of an `open` whose `ch` the server accepted: `window`, a known `kind`
 * and that kind's fields. validateMessage() checks only an open's `ch`, so that a bad value here fails
 * that channel (the server answers a channel `error` with code PROTOCOL) instead of the connection.
 * Throws ProtocolError.
 */
export function validateOpenFields(open: Message & { type: 'open' }): void {
  const h = open as unknown as Fields;
  check(h, (openChecks ??= compileShape(OPEN_COMMON)));
  const kind = KIND_CHECKS.get(h.kind);
  if (!kind) fail(h, `unsupported channel kind ${JSON.stringify(h.kind)}`);
  check(h, kind);
}

type Fields = Readonly<Record<string, unknown>>;

type Checks = CompiledShape;

/**
 * Each shape's check, compiled on first use: a CLI run meets a handful of the catalog's messages, and
 * compiling every one at load cost each start about 2 ms (docs/BENCHMARKS.md "CLI start-up").
 */
class LazyChecks {
  private readonly compiled = new Map<unknown, Checks>();
  // Maps, not objects: a `type` or `kind` such as "constructor" must not find Object.prototype's members.
  private readonly shapes: ReadonlyMap<unknown, Shape>;

  constructor(shapes: Iterable<readonly [string, Shape]>) {
    this.shapes = new Map(shapes);
  }

  get(name: unknown): Checks | undefined {
    let checks = this.compiled.get(name);
    if (checks === undefined) {
      const shape = this.shapes.get(name);
      if (shape === undefined) return undefined;
      checks = compileShape(shape);
      this.compiled.set(name, checks);
    }
    return checks;
  }
}

const MESSAGE_CHECKS = new LazyChecks([
  ...Object.entries(CONNECTION_MESSAGES),
  ...Object.entries(CHANNEL_MESSAGES),
  // Only the id here; validateOpenFields() checks the rest once the server accepted the id.
  ['open', { ch: OPEN_COMMON.ch }],
]);
let openChecks: Checks | undefined;
const KIND_CHECKS = new LazyChecks(Object.entries(OPEN_KINDS));

function check(h: Fields, checks: Checks): void {
  const why = checks(h);
  if (why !== undefined) fail(h, why);
}

function fail(h: Fields, why: string): never {
  throw new ProtocolError(`invalid "${String(h.type)}" message: ${why}`);
}
