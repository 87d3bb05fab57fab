/**
 * LazyStdin (server/process): a command's stdin pipe that becomes a socket only when written to. Real
 * pipes (a FIFO in a temp directory), read through a real socket.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { constants, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LazyStdin } from '../../src/server/process/lazy-stdin.js';
import { tempDir } from '../helpers/temp-dirs.js';

const dir = tempDir('framesh-lazy-stdin-');
let fifos = 0;

/** A pipe: its read end as a socket, its write end as a descriptor. */
function pipe(): { reader: net.Socket; writeFd: number } {
  const file = path.join(dir, `fifo-${fifos++}`);
  execFileSync('mkfifo', [file]);
  const readFd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(file, constants.O_WRONLY);
  return { reader: new net.Socket({ fd: readFd, writable: false }), writeFd };
}

async function readAll(reader: net.Socket): Promise<string> {
  const chunks: Buffer[] = [];
  reader.on('data', (c: Buffer) => chunks.push(c));
  await once(reader, 'end');
  return Buffer.concat(chunks).toString();
}

describe('LazyStdin', () => {
  it('passes writes on in order and ends the pipe after the last one', async () => {
    const { reader, writeFd } = pipe();
    const stdin = new LazyStdin(writeFd);
    const text = readAll(reader);
    const written: string[] = [];
    stdin.write('one ', () => written.push('one'));
    stdin.write(Buffer.alloc(200_000, 0x61), () => written.push('big'));
    stdin.end(' two');
    await once(stdin, 'finish');
    const got = await text;
    assert.equal(got.length, 4 + 200_000 + 4);
    assert.ok(got.startsWith('one aaa') && got.endsWith('a two'));
    assert.deepEqual(written, ['one', 'big']);
  });

  it('ended without a write, the reader sees end-of-file at once', async () => {
    const { reader, writeFd } = pipe();
    const stdin = new LazyStdin(writeFd);
    stdin.end();
    await once(stdin, 'finish');
    assert.equal(await readAll(reader), '');
  });

  it('a reader that went away gives EPIPE as an error, as the socket would', async () => {
    const { reader, writeFd } = pipe();
    reader.destroy();
    await once(reader, 'close');
    const stdin = new LazyStdin(writeFd);
    stdin.write('nobody reads this');
    const [err] = (await once(stdin, 'error')) as [NodeJS.ErrnoException];
    assert.equal(err.code, 'EPIPE');
  });

  it('destroyed unwritten, it closes the pipe', async () => {
    const { reader, writeFd } = pipe();
    new LazyStdin(writeFd).destroy();
    assert.equal(await readAll(reader), '');
  });
});
