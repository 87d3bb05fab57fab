/**
 * commander, the one place the CLI takes it from. The bundle (tools/bundle-cli.mjs) carries it inside,
 * so that its code is in the compile cache with the CLI's own.
 */
export { Command, Option, InvalidArgumentError } from 'commander';
