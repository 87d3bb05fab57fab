/**
 * Every failure framesh reports is a {@link FrameshError} with a stable `code`.
 * Codes are part of the public contract: they travel on the wire in `error`
 * frames (docs/PROTOCOL.md §7) and are listed in docs/ERRORS.md.
 */
export class FrameshError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The peer broke the protocol: malformed frame, unknown message, bad state. */
export class ProtocolError extends FrameshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROTOCOL', message, options);
  }
}

/** A frame or request exceeded a limit stated in docs/PROTOCOL.md §3. */
export class LimitError extends FrameshError {
  constructor(message: string) {
    super('LIMIT', message);
  }
}

/** The peer speaks another major protocol version. */
export class VersionError extends FrameshError {
  constructor(message: string) {
    super('VERSION', message);
  }
}

/** Input ended in the middle of a frame. */
export class UnexpectedEofError extends FrameshError {
  constructor(bufferedBytes: number) {
    super('UNEXPECTED_EOF', `connection ended in the middle of a frame (${bufferedBytes} bytes buffered)`);
  }
}

/** The connection closed, reset or could not be made. */
export class ConnectionError extends FrameshError {
  constructor(code: 'CONNECTION_CLOSED' | 'CONNECTION_REFUSED' | 'HOST_NOT_FOUND' | 'CONNECTION_RESET' | 'KEEPALIVE_TIMEOUT', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** An operation took longer than its deadline. */
export class TimeoutError extends FrameshError {
  constructor(message: string) {
    super('TIMEOUT', message);
  }
}

/** `run()` collected more output than its `maxBuffer`. */
export class MaxBufferError extends FrameshError {
  constructor(maxBuffer: number) {
    super('MAX_BUFFER', `command output exceeded maxBuffer (${maxBuffer} bytes)`);
  }
}

/**
 * An error the remote side reported in an `error` frame. Raised in the caller's
 * context, so its stack shows the local call that failed; `remoteMessage` keeps
 * the peer's text.
 */
export class RemoteError extends FrameshError {
  readonly remoteMessage: string;

  constructor(code: string, remoteMessage: string) {
    super(code, remoteMessage);
    this.remoteMessage = remoteMessage;
  }
}

/** Authentication or host verification failed; `code` says which check (see docs/ERRORS.md). */
export class SecurityError extends FrameshError {
  constructor(
    code:
      | 'AUTH_FAILED'
      | 'AUTH_TIMEOUT'
      | 'HOST_KEY_UNKNOWN'
      | 'HOST_KEY_CHANGED'
      | 'HOST_KEY_MISMATCH'
      | 'KEY_PERMISSIONS'
      | 'KEY_INVALID'
      | 'TLS_REQUIRED'
      | 'TLS_MISMATCH'
      | 'TOO_MANY_STARTUPS'
      | 'KNOWN_HOSTS_LOCKED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** A library or CLI option out of its range (a duration beyond what timers can hold, a malformed limit). */
export class InvalidOptionError extends FrameshError {
  declare readonly code: 'INVALID_OPTION';

  constructor(message: string) {
    super('INVALID_OPTION', message);
  }
}
