// A framesh server in its own process, for benchmarks. Prints {"port":N,"pid":N,"launcher":"..."} on
// stdout once listening; exits on SIGTERM or when its parent goes away.
// FRAMESH_LAUNCHER=native|child|pool|adaptive picks the launcher (default: the server's own choice).
import { createServer } from '../dist/index.js';

const server = createServer({
  insecure: true,
  keepaliveIntervalMs: 0,
  maxChannels: 64,
  killGraceMs: 500,
});
const { port } = await server.listen(0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ port, pid: process.pid, launcher: server.launcherDescription })}\n`);
const stop = () => server.close(500).then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('disconnect', stop);
process.stdin.on('end', stop);
process.stdin.resume();
