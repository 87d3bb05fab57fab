/**
 * One contender in the known_hosts race test: prints "ready", waits for a line on stdin (the start
 * signal, so all contenders verify at the same moment), then verifies HOST FINGERPRINT with accept-new
 * and prints the outcome (or the error code).
 */
import { KnownHosts } from '../../src/security/known-hosts.js';

const [file, host, fingerprint] = process.argv.slice(2) as [string, string, string];
const hosts = new KnownHosts(file);
process.stdout.write('ready\n');
process.stdin.once('data', () => {
  hosts.verify(host, fingerprint, { acceptNew: true }).then(
    (outcome) => process.stdout.write(`${outcome}\n`),
    (err: { code?: string }) => process.stdout.write(`${err.code ?? 'error'}\n`),
  );
  process.stdin.pause();
});
