import type { FramedConnection } from '../connection/framed-connection.js';
import type { Message } from '../protocol/messages.js';
import type { DebugSink } from '../debug-log.js';

/** Longest header text shown per frame; a trace line stays one readable line. */
const MAX_HEADER_CHARS = 200;

/**
 * `-vv`: one line per frame in each direction — the header as JSON (signatures elided) and the
 * body's size. It wraps this one connection's send methods; nothing is traced unless asked.
 */
export function traceFrames(conn: FramedConnection, sink: DebugSink): void {
  conn.on('message', (message: Message, body?: Buffer) => sink(`<- ${describe(message, body)}`));
  const send = conn.send.bind(conn);
  const sendData = conn.sendData.bind(conn);
  conn.send = (header, body) => {
    sink(`-> ${describe(header, body)}`);
    return send(header, body);
  };
  conn.sendData = (ch, stream, body) => {
    sink(`-> {"type":"data","ch":${ch},"stream":"${stream}"} +${body.length} bytes`);
    return sendData(ch, stream, body);
  };
}

function describe(message: Message, body?: Buffer): string {
  const shown = message.type === 'auth' ? { ...message, signature: '…' } : message;
  let text = JSON.stringify(shown);
  if (text.length > MAX_HEADER_CHARS) text = `${text.slice(0, MAX_HEADER_CHARS)}…`;
  return body && body.length > 0 ? `${text} +${body.length} bytes` : text;
}
