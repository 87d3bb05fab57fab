// The floor under framesh's terminal throughput (bench/terminal.mjs): node-pty alone, in one Node
// process, reading `cat FILE` through a terminal and counting the bytes. Prints MB/s.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';

const pty = createRequire(import.meta.url)('node-pty');
const file = process.argv[2];
const expected = statSync(file).size;
let started = 0;
const term = pty.spawn('/bin/cat', [file], { name: 'xterm', cols: 80, rows: 24, encoding: null });
let bytes = 0;
term.onData((data) => {
  if (bytes === 0) started = performance.now(); // from the first byte, as bench/terminal.mjs times
  bytes += data.length;
});
term.onExit(() => {
  // node-pty may report the exit before the last kernel buffer is read (framesh holds the terminal open
  // for it); this floor does not, so it may drop that tail.
  if (bytes < expected - 2 ** 20) {
    console.error(`node-pty read ${bytes} of ${expected} bytes`);
    process.exit(1);
  }
  console.log(expected / 2 ** 20 / ((performance.now() - started) / 1000));
});
