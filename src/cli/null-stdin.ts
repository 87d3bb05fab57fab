import { fstatSync, statSync } from 'node:fs';

/**
 * Whether this process's stdin is /dev/null (`< /dev/null`, a job or service started with stdin
 * ignored): there is nothing to forward, so a command's stdin can end at once without touching
 * process.stdin, whose set-up and first read cost a client ~4 ms of CPU and ~8 ms in all here, in the
 * middle of the command's round trip (docs/BENCHMARKS.md "CLI start-up"). A closed fd 0 is not.
 */
export function stdinIsDevNull(): boolean {
  try {
    const stdin = fstatSync(0);
    return stdin.isCharacterDevice() && stdin.rdev === statSync('/dev/null').rdev;
  } catch {
    return false;
  }
}
