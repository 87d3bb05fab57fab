import { readdirSync, readFileSync } from 'node:fs';

/** PIDs of living (non-zombie) processes in session `sid` (Linux /proc). */
export function livingSessionMembers(sid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // After the parenthesised name: state, ppid, pgrp, session, ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[3]) === sid && fields[0] !== 'Z') members.push(Number(entry));
  }
  return members;
}

/** Waits (bounded) until session `sid` has no living member; resolves with what is left. */
export async function waitForSessionGone(sid: number, timeoutMs: number): Promise<number[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const left = livingSessionMembers(sid);
    if (left.length === 0 || performance.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
