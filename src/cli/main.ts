#!/usr/bin/env node
import { lifecycle } from './lifecycle.js';
import { commandForArgv } from './command-for-argv.js';

await (await commandForArgv(process.argv)).parseAsync(process.argv);
// Writes to a pipe are asynchronous in Node, and process.exit() drops what a full pipe has not taken. The
// commands that stream (exec, fan-out, classic) return only once their output drained, and the others
// print less than a pipe holds (test: "a reader that starts only after the exit arrived").
if (!lifecycle.longRunning) process.exit();
