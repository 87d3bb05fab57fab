import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = require('../package.json') as { version: string };

/** Package version, also sent as the `agent` in hello. */
export const VERSION: string = pkg.version;
export const AGENT = `framesh/${VERSION}`;
/** PROTOCOL.md §2: features this build offers. */
export const CAPABILITIES: readonly string[] = ['exec', 'files'];
