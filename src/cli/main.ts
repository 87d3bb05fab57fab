#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { cacheNameFor, runBundle } from './compile-cache.js';

type RunCli = (argv: readonly string[]) => Promise<void>;

// `npm run build` bundles the CLI into one file beside this one (tools/bundle-cli.mjs), which starts
// with V8's code cache instead of resolving, reading and compiling ~60 modules (docs/ARCHITECTURE.md
// "Decisions"). Without it (the sources run through tsx, or tsc alone) the modules run as they are.
const bundle = runBundle(fileURLToPath(new URL('./framesh.bundle.cjs', import.meta.url)), cacheNameFor(process.argv));
const runCli = (bundle?.runCli as RunCli | undefined) ?? (await import('./run-cli.js')).runCli;
await runCli(process.argv);
