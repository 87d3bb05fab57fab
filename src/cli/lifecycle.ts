/**
 * Whether the command that ran is a long-running one (`serve`), which lives on after its action
 * returns, or a client command, which is done when its action is: run-cli.ts then exits with the status
 * the command set, as ssh does when its session ends, so that no stray handle (a socket or terminal
 * stream some path left open) can keep a finished client alive.
 */
export const lifecycle = { longRunning: false };
