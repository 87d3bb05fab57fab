import type { Logger } from 'pino';
import type { ClassicListener } from '../classic/server/classic-listener.js';
import { commandOutcome } from './audit-log.js';

/** One JSON line per classic-listener event (docs/CLASSIC.md, "Audit log"). */
export function attachClassicAuditLog(listener: ClassicListener, log: Logger): void {
  listener.on('connection', (remote) => log.info({ event: 'classic.connect', remote }));
  listener.on('disconnect', (remote) => log.info({ event: 'classic.disconnect', remote }));
  listener.on('failure', (remote, error) => log.error({ event: 'classic.failure', remote, error: error.message }));
  listener.on('commandStart', (info) => log.info({ event: 'classic.command.start', ...info }));
  listener.on('commandEnd', (record) =>
    log.info({
      event: 'classic.command.end',
      remote: record.remote,
      command: record.command,
      pid: record.pid,
      ...commandOutcome(record),
      replyBytes: record.replyBytes,
    }),
  );
  listener.on('upload', (record) => {
    const line = {
      event: 'classic.upload',
      remote: record.remote,
      name: record.name,
      stored: record.stored,
      bytes: record.bytes,
      outcome: record.outcome,
      error: record.error?.code ?? null,
      ...(record.error && { message: record.error.message }),
      durationMs: Math.round(record.durationMs),
    };
    if (record.outcome === 'stored') log.info(line);
    else log.warn(line);
  });
}
