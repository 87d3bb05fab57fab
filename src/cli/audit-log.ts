import type { Logger } from 'pino';
import type { FrameshServer } from '../server/server.js';

/** One JSON line per server event (docs/SECURITY.md lists the fields). */
export function attachAuditLog(server: FrameshServer, log: Logger): void {
  server.on('connection', (remote) => log.info({ event: 'connect', remote }));
  server.on('disconnect', (remote, error) =>
    log.info({ event: 'disconnect', remote, ...(error && { code: error.code, error: error.message }) }),
  );
  server.on('authenticated', (info) => log.info({ event: 'auth.success', ...info }));
  server.on('authFailed', (info) => log.warn({ event: 'auth.failure', ...info }));
  server.on('refused', (info) => log.warn({ event: 'refused', ...info }));
  server.on('keySkipped', (info) => log.warn({ event: 'authorized_keys.skipped', ...info }));
  server.on('transfer', (record) =>
    log.info({ event: 'transfer', ...record, durationMs: Math.round(record.durationMs) }),
  );
  server.on('partialsExpired', ({ removed }) => log.info({ event: 'partials-expired', removed }));
  server.on('commandStart', (info) => log.info({ event: 'command.start', ...info }));
  server.on('terminalStart', (info) => log.info({ event: 'terminal.start', ...info }));
  server.on('terminalEnd', (info) =>
    log.info({
      event: 'terminal.end',
      remote: info.remote,
      fingerprint: info.fingerprint,
      ch: info.ch,
      command: info.command,
      cols: info.cols,
      rows: info.rows,
      recording: info.recording,
      ...commandOutcome(info),
    }),
  );
  server.on('commandEnd', (info) =>
    log.info({
      event: 'command.end',
      remote: info.remote,
      ch: info.ch,
      command: info.command,
      ...commandOutcome(info),
    }),
  );
}

/** How a command ended, as the audit log states it for framesh and classic commands alike. */
export function commandOutcome(info: {
  status: { code: number | null; signal: string | null } | null;
  reason: string | null;
  errorCode: string | null;
  stdoutBytes: number;
  stderrBytes: number;
  durationMs: number;
}): Record<string, unknown> {
  return {
    code: info.status?.code ?? null,
    signal: info.status?.signal ?? null,
    reason: info.reason,
    error: info.errorCode,
    stdoutBytes: info.stdoutBytes,
    stderrBytes: info.stderrBytes,
    durationMs: Math.round(info.durationMs),
  };
}
