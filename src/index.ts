/**
 * framesh library API: `createServer()` to serve, `connect()` to run commands.
 * See docs/API.md.
 */
export { createServer, FrameshServer, DEFAULT_PORT, DEFAULT_HOST } from './server/server.js';
export type { ServerOptions, ServerEvents } from './server/server.js';
export type { ProcessLauncher, LaunchSpec, RunningProcess, ExitStatus } from './server/process/launcher.js';
export { connect } from './client/connect.js';
export type { ConnectOptions } from './client/connect.js';
export { FrameshClient } from './client/client.js';
export type { ExecOptions } from './client/client.js';
export { ExecCall } from './client/exec-call.js';
export type { ExitResult } from './client/exec-call.js';
export type { RunOptions, RunResult } from './client/run.js';
export type { TransferOptions, TransferProgress, TransferResult, RemoteStat } from './client/files/transfer-types.js';
export type { FileStat, FileType } from './protocol/messages.js';
export type { Transport, TransportTarget } from './transport/transport.js';
export * from './errors.js';
export { VERSION } from './version.js';
