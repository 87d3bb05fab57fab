/**
 * Process-group checks for "no orphans left" assertions. Zombies are not
 * counted: they run nothing, and how soon they are reaped depends on the
 * machine's init, not on framesh.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** PIDs of processes in group `pgid` that are not zombies (Linux /proc). */
export function livingGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // Fields after the parenthesised command name: state, ppid, pgrp, ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
  }
  return members;
}

/** Waits (bounded) until group `pgid` has no living member; resolves with what is left (empty on success). */
export async function waitForGroupGone(pgid: number, timeoutMs = 5000): Promise<number[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const left = livingGroupMembers(pgid);
    if (left.length === 0 || performance.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
