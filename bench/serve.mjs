// A framesh server in its own process, for benchmarks. Prints {"port":N} on
// stdout once listening; exits on SIGTERM or when its parent goes away.
// FRAMESH_BENCH_LAUNCHER=child|pool|adaptive picks the launcher (default: the server's).
import { createServer } from '../dist/index.js';

const choice = process.env.FRAMESH_BENCH_LAUNCHER;
let launcher;
if (choice === 'child') {
  const { ChildProcessLauncher } = await import('../dist/server/process/child-process-launcher.js');
  launcher = new ChildProcessLauncher();
} else if (choice === 'adaptive') {
  const { AdaptiveLauncher } = await import('../dist/server/process/adaptive-launcher.js');
  launcher = new AdaptiveLauncher();
} else if (choice === 'pool') {
  const { HelperPoolLauncher } = await import('../dist/server/process/helper-pool-launcher.js');
  launcher = new HelperPoolLauncher();
}
const server = createServer({
  insecure: true,
  keepaliveIntervalMs: 0,
  maxChannels: 64,
  killGraceMs: 500,
  ...(launcher && { launcher }),
});
const { port } = await server.listen(0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ port, pid: process.pid })}\n`);
const stop = () => server.close(500).then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('disconnect', stop);
process.stdin.on('end', stop);
process.stdin.resume();
