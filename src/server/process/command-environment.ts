import os from 'node:os';
import type { ConnectionEndpoints } from '../server-channel.js';

/** PATH a command gets, as sshd's defaults (Debian): system directories, sbin only for root. */
const USER_PATH = '/usr/local/bin:/usr/bin:/bin';
const ROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * PROTOCOL.md §11.4: the environment every command starts from, built once per server. Not the server's
 * own environment: `npm start` would hand its npm_* variables, a tmux its TMUX, a shell its PS1 and OLDPWD
 * to every remote command. `operatorEnv` (the server library's `env` option) is laid over it.
 */
export function accountEnvironment(operatorEnv: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  if (process.platform === 'win32') return { ...(operatorEnv ?? process.env) };
  const account = currentAccount();
  return {
    HOME: account.home,
    USER: account.name,
    LOGNAME: account.name,
    SHELL: account.shell,
    PATH: account.uid === 0 ? ROOT_PATH : USER_PATH,
    ...operatorEnv,
  };
}

export interface CommandEnvironmentRequest {
  readonly locale?: Readonly<Record<string, string>> | undefined;
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** The terminal type, for commands on a terminal. */
  readonly term?: string | undefined;
}

/** One command's environment, in PROTOCOL.md §11.4's order (later wins). */
export function commandEnvironment(
  base: NodeJS.ProcessEnv,
  request: CommandEnvironmentRequest,
  endpoints: ConnectionEndpoints,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ...request.locale, ...request.env };
  if (request.term !== undefined) env.TERM = request.term;
  const { clientAddress, clientPort, serverAddress, serverPort } = endpoints;
  env.FRAMESH_CONNECTION = `${clientAddress} ${clientPort} ${serverAddress} ${serverPort}`;
  return env;
}

interface Account {
  readonly name: string;
  readonly uid: number;
  readonly home: string;
  readonly shell: string;
}

function currentAccount(): Account {
  try {
    const info = os.userInfo();
    // The home the server itself uses ($HOME, else the password database), as for its default cwd and root.
    return { name: info.username, uid: info.uid, home: os.homedir(), shell: info.shell || '/bin/sh' };
  } catch {
    // No passwd entry (a container's arbitrary uid): what the process itself knows.
    const uid = process.getuid?.() ?? -1;
    return { name: process.env.USER ?? String(uid), uid, home: os.homedir(), shell: '/bin/sh' };
  }
}
