import { promises as fs, readFileSync } from 'node:fs';

/**
 * A terminal session's processes, found through Linux's /proc: sshd ends a session by hanging up its
 * terminal, which reaches every process group on it; framesh signals those groups itself, since a shell
 * with job control puts each job in a group of its own that `kill(-leader)` would miss.
 */

/** Fields 5-8 of /proc/PID/stat: process group, session, tty, foreground group of that tty. */
interface StatFields {
  readonly pgrp: number;
  readonly session: number;
  readonly tpgid: number;
}

function parseStat(text: string): StatFields | null {
  // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const pgrp = Number(rest[2]);
  const session = Number(rest[3]);
  const tpgid = Number(rest[5]);
  if (!Number.isInteger(pgrp) || !Number.isInteger(session) || !Number.isInteger(tpgid)) return null;
  return { pgrp, session, tpgid };
}

/** The terminal's foreground process group as the session leader sees it, or null when unknown. */
export function foregroundGroup(leaderPid: number): number | null {
  try {
    const stat = parseStat(readFileSync(`/proc/${leaderPid}/stat`, 'utf8'));
    return stat && stat.tpgid > 0 ? stat.tpgid : null;
  } catch {
    return null;
  }
}

/** Every process group with a member in the session `sid` (the leader's pid), the leader's own first. */
export async function sessionGroups(sid: number): Promise<number[]> {
  const groups = new Set<number>([sid]);
  let entries: string[];
  try {
    entries = await fs.readdir('/proc');
  } catch {
    return [...groups];
  }
  await Promise.all(
    entries
      .filter((name) => /^\d+$/.test(name))
      .map(async (name) => {
        try {
          const stat = parseStat(await fs.readFile(`/proc/${name}/stat`, 'utf8'));
          if (stat?.session === sid) groups.add(stat.pgrp);
        } catch {
          // The process ended while we looked.
        }
      }),
  );
  return [...groups];
}

/** Sends `signal` to every process group of the session; groups already gone are skipped. */
export async function signalSession(sid: number, signals: readonly NodeJS.Signals[]): Promise<void> {
  const groups = await sessionGroups(sid);
  for (const signal of signals) {
    for (const pgrp of groups) {
      try {
        process.kill(-pgrp, signal);
      } catch {
        // ESRCH: that group is gone already.
      }
    }
  }
}
