// The floor under framesh's concurrency figure (bench/concurrency.mjs): framesh's own posix_spawn
// launcher in a fresh process, TOTAL × `sh -c 'echo hi'`, CONCURRENCY at a time, each command's output
// read to its end — no network, no protocol, no client. One load warms V8 up, as framesh's server is
// measured warm; the second is measured. Prints JSON: {rate, selfMs, childrenMs} (CPU per command of
// this process and of the commands it reaped).
// Usage: node spawn-floor.mjs TOTAL CONCURRENCY
import { readFileSync } from 'node:fs';
import { chooseLauncher } from '../../dist/server/process/default-launcher.js';

const [total, concurrency] = process.argv.slice(2).map(Number);
// Bounded whatever happens: a launch that never ends must not keep the benchmark waiting.
setTimeout(() => {
  console.error('spawn floor: not done within 150 s');
  process.exit(1);
}, 150_000).unref();
const { launcher, description } = chooseLauncher('native');
if (!description.startsWith('posix_spawn')) {
  console.log('null');
  process.exit(0);
}
// A plain object, as the server hands every launch (command-environment.ts): process.env itself is an
// interceptor that reads the real environment on every key.
const env = { ...process.env };

/** Seconds of CPU of this process and of its reaped children (/proc/self/stat utime+stime, cutime+cstime). */
function cpu() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ').map(Number);
  const hz = 100; // USER_HZ on Linux
  return { self: (fields[11] + fields[12]) / hz, children: (fields[13] + fields[14]) / hz };
}

async function loadOnce() {
  let next = 0;
  const worker = async () => {
    while (next++ < total) {
      const proc = await launcher.launch({ file: '/bin/sh', args: ['-c', 'echo hi'], cwd: '/', env });
      proc.stdin.end();
      proc.stderr.resume();
      proc.stdout.resume();
      await Promise.all([proc.exited, new Promise((resolve) => proc.stdout.once('close', resolve))]);
    }
  };
  const before = cpu();
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const after = cpu();
  return {
    rate: total / seconds,
    selfMs: ((after.self - before.self) / total) * 1000,
    childrenMs: ((after.children - before.children) / total) * 1000,
  };
}

await loadOnce();
console.log(JSON.stringify(await loadOnce()));
