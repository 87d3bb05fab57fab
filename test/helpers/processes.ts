/**
 * Process-group and session checks for "no orphans left" assertions. Zombies are
 * not counted: they run nothing, and how soon they are reaped depends on the
 * machine's init, not on framesh.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The /proc/PID/stat fields after the parenthesised command name: state, ppid, pgrp, session, ... */
const PGRP_FIELD = 2;
const SESSION_FIELD = 3;

/** PIDs of living (non-zombie) processes whose stat field `field` is `id` (Linux /proc). */
function livingMembers(field: number, id: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[field]) === id && fields[0] !== 'Z') members.push(Number(entry));
  }
  return members;
}

/** Polls `members` (bounded) until it is empty; resolves with what is left (empty on success). */
async function waitForNone(members: () => number[], timeoutMs: number): Promise<number[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const left = members();
    if (left.length === 0 || performance.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** PIDs of processes in group `pgid` that are not zombies. */
export function livingGroupMembers(pgid: number): number[] {
  return livingMembers(PGRP_FIELD, pgid);
}

/** PIDs of processes in session `sid` that are not zombies. */
export function livingSessionMembers(sid: number): number[] {
  return livingMembers(SESSION_FIELD, sid);
}

/** Waits (bounded) until group `pgid` has no living member; resolves with what is left (empty on success). */
export function waitForGroupGone(pgid: number, timeoutMs = 5000): Promise<number[]> {
  return waitForNone(() => livingGroupMembers(pgid), timeoutMs);
}

/** Waits (bounded) until session `sid` has no living member; resolves with what is left. */
export function waitForSessionGone(sid: number, timeoutMs: number): Promise<number[]> {
  return waitForNone(() => livingSessionMembers(sid), timeoutMs);
}
