import { createRequire } from 'node:module';
import type * as Commander from 'commander';

/**
 * commander, loaded through require(): it is CommonJS, and importing it as ESM costs every CLI start
 * some 3 ms more (its ESM wrapper, and the scan of its source for named exports). The CLI imports
 * Command, Option and InvalidArgumentError from here; the classes are the same objects either way.
 */
const commander = createRequire(import.meta.url)('commander') as typeof Commander;

export const { Command, Option, InvalidArgumentError } = commander;
export type Command = Commander.Command;
export type Option = Commander.Option;
export type InvalidArgumentError = Commander.InvalidArgumentError;
