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
export type { ExecOptions, ShellOptions, TerminalExecOptions } from './client/client.js';
export { ExecCall } from './client/exec-call.js';
export { TerminalCall } from './client/terminal-call.js';
export type { PtyOptions } from './client/terminal-call.js';
export type { ExitResult } from './client/exec-call.js';
export type { RunOptions, RunResult } from './client/run.js';
export type {
  TransferOptions,
  TransferProgress,
  TransferResult,
  RemoteStat,
  RemoteMatch,
} from './client/files/transfer-types.js';
export type { DirectoryTransferOptions, DirectoryTransferResult } from './client/files/tree-transfers.js';
export type { TreeFilter } from './client/files/tree-walk.js';
export { PeerNameError } from './client/files/peer-names.js';
export type { FileStat, FileType } from './protocol/messages.js';
export type { Transport, TransportTarget } from './transport/transport.js';
export * from './errors.js';
export { AgentError, KeyMissingError, KeyPassphraseError } from './security/key-errors.js';
export { LoginNameError } from './client/login-name-error.js';
export { VERSION } from './version.js';
export { fanout } from './fanout/fanout.js';
export type { Fanout, FanoutEvent, FanoutOptions, OutputEvent } from './fanout/fanout.js';
export { fanoutPut, fanoutGet, hostDirectoryName } from './fanout/fanout-transfers.js';
export type {
  TransferEvent,
  TransferFanout,
  TransferFanoutEvent,
  TransferFanoutOptions,
} from './fanout/fanout-transfers.js';
export type { HostEvent, HostJobOptions, HostOutcome, HostRun } from './fanout/host-jobs.js';
export { PlanError } from './client/files/transfer-plan.js';
export { selectHosts } from './fanout/host-selection.js';
export type { FanoutTarget, SelectionInput } from './fanout/host-selection.js';
export { loadClientConfig, parseClientConfig } from './fanout/client-config.js';
export type { ClientConfig } from './fanout/client-config.js';
export { loadInventory, parseIniInventory, parseYamlInventory } from './fanout/inventory.js';
export type { Inventory, InventoryHost } from './fanout/inventory.js';
export type { HostSettings } from './fanout/host-settings.js';
export { ConfigError, InventoryError } from './fanout/fanout-errors.js';
