/**
 * A type test of the published API (`tsc -p test/types`, in `npm test`): it imports `framesh` by its
 * package name, so it sees dist/*.d.ts exactly as a user does. The examples must compile; each
 * `@ts-expect-error` marks something that must NOT compile (a leaked @internal member, a mistyped
 * error code), and fails the check if it ever compiles. Nothing here runs.
 */
import {
  ConnectionError,
  FrameshError,
  LocalFileError,
  ProtocolError,
  RemoteError,
  connect,
  createServer,
  fanoutGet,
  fanoutPut,
  hostDirectoryName,
  selectHosts,
  type HostOutcome,
  type TransferFanoutEvent,
  type ExecCall,
  type ExitResult,
  type FileStat,
  type FrameshClient,
  type FrameshErrorCode,
  type RunResult,
  type ServerOptions,
  type TransferResult,
} from 'framesh';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_proof?: T): void {}

export async function examples(): Promise<void> {
  const options: ServerOptions = { maxChannels: 8, root: '/srv', insecure: true };
  const server = createServer(options);
  const { port } = await server.listen(0, '127.0.0.1');

  const client: FrameshClient = await connect({ host: '127.0.0.1', port, insecure: true });
  const call: ExecCall = client.exec(['ls', '-l'], { cwd: '/tmp', env: { A: 'b' }, timeoutMs: 1000 });
  call.stdout.pipe(process.stdout);
  call.stdin.end('input');
  call.signal('INT');
  const exit: ExitResult = await call.exit;
  assertType<Equal<typeof exit.code, number | null>>();
  void exit;

  const text: RunResult<string> = await client.run('uname -a');
  const bytes: RunResult<Buffer> = await client.run('cat /bin/ls', { encoding: 'buffer', maxBuffer: 1 << 20 });
  void text.stdout.toUpperCase();
  void bytes.stdout.readUInt8(0);

  const sent: TransferResult = await client.put('local.txt', 'remote.txt', { onProgress: () => {} });
  void sent;
  const stat: FileStat = await client.stat('remote.txt');
  assertType<Equal<typeof stat.type, 'file' | 'directory' | 'none' | 'other'>>();
  void stat;
  await client.close();
  await server.close();
}

export function errorCodes(err: unknown): string {
  if (err instanceof ProtocolError) {
    assertType<Equal<typeof err.code, 'PROTOCOL'>>();
    // @ts-expect-error a ProtocolError's code is always 'PROTOCOL'
    if (err.code === 'LIMIT') return 'never';
  }
  if (err instanceof ConnectionError && err.code === 'KEEPALIVE_TIMEOUT') return 'peer went silent';
  if (err instanceof LocalFileError && err.code === 'EISDIR') return 'a directory';
  if (err instanceof RemoteError) return err.code === 'REMOTE_UNKNOWN' ? err.remoteCode : err.remoteMessage;
  if (err instanceof FrameshError) {
    const code: FrameshErrorCode = err.code;
    // @ts-expect-error a typo in a code is a compile error
    if (code === 'LIMTI') return 'typo';
    return code;
  }
  return 'not framesh';
}

export function internalsAreNotPublished(client: FrameshClient, call: ExecCall): void {
  // @ts-expect-error openChannel is @internal
  client.openChannel(
    () => call,
    () => ({ type: 'open', ch: 1, kind: 'exec', command: 'x', window: 1 }),
  );
  // @ts-expect-error ExecCall.handle is @internal
  call.handle({ type: 'cancel', ch: 1 }, Buffer.alloc(0));
  // @ts-expect-error ExecCall.fail is @internal
  call.fail(new FrameshError('INTERNAL', 'x'));
  // @ts-expect-error ExecCall.failWithTimeout is @internal
  call.failWithTimeout(5);
}

export async function fanoutTransfers(): Promise<void> {
  const targets = selectHosts({ hostList: ['web[01:04]'], defaultPort: 7022 });
  const put = fanoutPut(targets, ['app.tar.gz'], '/srv/', { parallel: 4, recursive: false, timeoutMs: 60_000 });
  for await (const event of put) {
    const e: TransferFanoutEvent = event;
    if (e.type === 'progress') assertType<Equal<typeof e.bytes, number>>();
    if (e.type === 'file') assertType<Equal<typeof e.sha256, string>>();
    // @ts-expect-error transfers have no output events
    if (e.type === 'output') return;
  }
  const outcomes: HostOutcome[] = await fanoutGet(targets, 'logs/app.log', './collected', { events: false }).results;
  const dir: string = hostDirectoryName(outcomes[0]?.host ?? 'web01');
  void dir;
}
