import { FrameshError } from '../errors.js';

/** A private key is encrypted and no passphrase, or a wrong one, was given (docs/ERRORS.md). */
export class KeyPassphraseError extends FrameshError {
  declare readonly code: 'KEY_PASSPHRASE';
  /** True when a passphrase was given and did not decrypt the key; false when none was given. */
  readonly wrong: boolean;

  constructor(file: string, wrong: boolean) {
    super(
      'KEY_PASSPHRASE',
      wrong
        ? `wrong passphrase for ${file}`
        : `${file} is protected by a passphrase: give it at the prompt, through FRAMESH_ASKPASS, or load the key into ssh-agent`,
    );
    this.wrong = wrong;
  }
}

/** No key to authenticate with: the default key file is absent and no agent holds a usable key. */
export class KeyMissingError extends FrameshError {
  declare readonly code: 'KEY_MISSING';

  constructor(message: string, options?: { cause?: unknown }) {
    super('KEY_MISSING', message, options);
  }
}

/** The ssh-agent at SSH_AUTH_SOCK could not be reached, listed no usable key, or refused to sign. */
export class AgentError extends FrameshError {
  declare readonly code: 'AGENT_FAILED';

  constructor(message: string, options?: { cause?: unknown }) {
    super('AGENT_FAILED', message, options);
  }
}
