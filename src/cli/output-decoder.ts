import { createRequire } from 'node:module';
import type IconvLite from 'iconv-lite';
import { InvalidArgumentError } from './commander.js';
import type { Writable } from 'node:stream';

const require = createRequire(import.meta.url);
let loaded: typeof IconvLite | null = null;

/** iconv-lite, loaded on first use: its charset tables cost start-up time that UTF-8 output never needs. */
function iconv(): typeof IconvLite {
  loaded ??= require('iconv-lite') as typeof IconvLite;
  return loaded;
}

/**
 * Writes remote output to a local stream. With an encoding such as "gbk" the
 * bytes are decoded to UTF-8 by a stateful decoder, so a multi-byte character
 * split across two frames still comes out whole.
 */
export function outputWriter(
  target: Writable,
  encoding: string | undefined,
): { write(chunk: Buffer): boolean; end(): void } {
  if (!encoding || isUtf8(encoding)) {
    return { write: (chunk) => target.write(chunk), end: () => {} };
  }
  const decoder = iconv().getDecoder(encoding);
  return {
    write: (chunk) => {
      const text = decoder.write(chunk);
      return text.length === 0 || target.write(text);
    },
    end: () => {
      const rest = decoder.end();
      if (rest) target.write(rest);
    },
  };
}

/** Commander parser for --encoding: refuses charsets iconv-lite does not know. */
export function parseEncoding(name: string): string {
  if (!iconv().encodingExists(name)) throw new InvalidArgumentError(`unknown encoding "${name}"`);
  return name;
}

function isUtf8(name: string): boolean {
  return /^utf-?8$/i.test(name);
}
