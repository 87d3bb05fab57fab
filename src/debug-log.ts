import { debuglog } from 'node:util';

/** One line of a debug trace, without a trailing newline. */
export type DebugSink = (line: string) => void;

const nodeDebugPhases = debuglog('framesh');
const nodeDebugFrames = debuglog('framesh-frames');

/**
 * Where a connection's trace goes: the `debug` option of connect() (what `-v` prints), and also
 * Node's own NODE_DEBUG=framesh (phases, host-key and auth decisions) and NODE_DEBUG=framesh-frames
 * (every frame), as undici traces through util.debuglog. Costs a function call when off.
 */
export interface DebugLog {
  /** Connection phases, host-key and authentication decisions (-v). */
  readonly phase: DebugSink;
  /** One line per frame sent or received (-vv); null when nobody listens, so callers skip formatting. */
  readonly frame: DebugSink | null;
}

export function debugLog(sink: DebugSink | undefined, frames: boolean): DebugLog {
  const phase: DebugSink = (line) => {
    sink?.(line);
    nodeDebugPhases('%s', line);
  };
  const wantFrames = (sink !== undefined && frames) || nodeDebugFrames.enabled;
  const frame: DebugSink | null = wantFrames
    ? (line) => {
        if (frames) sink?.(line);
        nodeDebugFrames('%s', line);
      }
    : null;
  return { phase, frame };
}
