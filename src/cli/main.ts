#!/usr/bin/env node
import { lifecycle } from './lifecycle.js';
import { buildProgram } from './program.js';

await buildProgram().parseAsync(process.argv);
// stdout and stderr are pipes, files or terminals, all written synchronously on Linux: nothing is lost.
if (!lifecycle.longRunning) process.exit();
