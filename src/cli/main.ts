#!/usr/bin/env node
import { lifecycle } from './lifecycle.js';
import { commandForArgv } from './command-for-argv.js';

await (await commandForArgv(process.argv)).parseAsync(process.argv);
// stdout and stderr are pipes, files or terminals, all written synchronously on Linux: nothing is lost.
if (!lifecycle.longRunning) process.exit();
