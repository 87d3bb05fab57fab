// Runs every benchmark figure, or those named: `npm run bench -- throughput roundtrip`.
// Each figure starts its own servers (127.0.0.1, port 0) and stops them.
const FIGURES = [
  'throughput',
  'roundtrip',
  'memory',
  'concurrency',
  'scale',
  'tls',
  'files',
  'cli-startup',
  'terminal',
  'fanout',
];
/** Run when no figure is named; tls, files, cli-startup, terminal and fanout belong to other issues and run when named. */
const DEFAULT_FIGURES = ['throughput', 'roundtrip', 'memory', 'concurrency', 'scale'];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !FIGURES.includes(name));
if (unknown.length) {
  console.error(`unknown figure(s): ${unknown.join(', ')}; choose from ${FIGURES.join(', ')}`);
  process.exit(2);
}
const os = await import('node:os');
console.log(
  `framesh bench ${new Date().toISOString()} · ${os.cpus().length} cores (${os.cpus()[0]?.model}) · Node ${process.version} · load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
let failed = false;
for (const name of wanted.length ? wanted : DEFAULT_FIGURES) {
  const started = performance.now();
  try {
    const { run } = await import(`./${name}.mjs`);
    await run();
  } catch (err) {
    failed = true;
    console.log(`  ${name} FAILED: ${err?.stack ?? err}`);
  }
  console.log(`  (${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}
process.exit(failed ? 1 : 0);
