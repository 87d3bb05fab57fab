// The floor under framesh's TLS stream (bench/tls.mjs): the least a Node server can do to send a
// command's output over TLS — the child's stdout piped into a TLS 1.3 socket, with no framing, channels,
// windows or authentication. Runs COMMAND (a JSON argv) for each connection; prints its port.
// Usage: node tls-relay.mjs KEY.pem CERT.pem COMMAND_JSON
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

const [keyFile, certFile, commandJson] = process.argv.slice(2);
const command = JSON.parse(commandJson);
const server = tls.createServer(
  { key: readFileSync(keyFile), cert: readFileSync(certFile), minVersion: 'TLSv1.3' },
  (socket) => {
    socket.setNoDelay(true);
    const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.pipe(socket);
    socket.on('error', () => child.kill());
  },
);
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
