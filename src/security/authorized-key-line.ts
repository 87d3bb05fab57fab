import { SecurityError } from '../errors.js';
import { checkSshKeyBlob, isSshKeyType, sshFingerprint, strictBase64, type SshKeyBlob } from './ssh-key-blob.js';
import { parseKeyOptions, type KeyOptions } from './key-options.js';

/** framesh's own line form: `framesh-ed25519 BASE64(32 raw key bytes) [comment]` (always without options). */
export const FRAMESH_ED25519 = 'framesh-ed25519';

/** One usable authorized_keys line. */
export interface AuthorizedKeyLine {
  readonly key: SshKeyBlob;
  readonly options: KeyOptions;
  readonly comment: string;
}

/** OpenSSH separates the fields of a key line with spaces and tabs only (no other Unicode space). */
const SEPARATORS = ' \t';

/**
 * Parses one authorized_keys line as OpenSSH's sshd does (auth2-pubkeyfile.c): optional options, then the
 * key type, then the base64 key, then an optional comment. Options are recognised only when the line does
 * not start with a key; they end at the first space or tab outside double quotes. Nothing after the key
 * is ever read as another key. Returns null for blank lines and comments; throws KEY_INVALID for a line
 * that cannot be used (an unknown option, an unknown key type, malformed key data).
 */
export function parseAuthorizedKeyLine(raw: string): AuthorizedKeyLine | null {
  const text = raw.replace(/\r$/, '');
  let at = skip(text, 0);
  if (at === text.length || text[at] === '#') return null;
  let optionsText = '';
  if (!isKeyType(word(text, at))) {
    const end = endOfOptions(text, at);
    optionsText = text.slice(at, end);
    at = skip(text, end);
    if (!isKeyType(word(text, at))) {
      const found = word(text, at);
      throw new SecurityError(
        'KEY_INVALID',
        found ? `unsupported key type ${JSON.stringify(found.slice(0, 40))}` : 'no key after the options',
      );
    }
  }
  const type = word(text, at);
  at = skip(text, at + type.length);
  const data = word(text, at);
  const bytes = strictBase64(data);
  if (!bytes) throw new SecurityError('KEY_INVALID', `the ${type} key is not valid base64`);
  at = skip(text, at + data.length);
  const comment = text.slice(at);
  const key =
    type === FRAMESH_ED25519
      ? frameshKey(bytes)
      : checkSshKeyBlob(type as Parameters<typeof checkSshKeyBlob>[0], bytes);
  if (type === FRAMESH_ED25519 && optionsText)
    throw new SecurityError('KEY_INVALID', `${FRAMESH_ED25519} lines take no options`);
  return { key, options: parseKeyOptions(optionsText), comment };
}

function isKeyType(w: string): boolean {
  return w === FRAMESH_ED25519 || isSshKeyType(w);
}

/** A framesh-ed25519 line holds the 32 raw bytes; it stands for the same key as the ssh-ed25519 blob. */
function frameshKey(raw: Buffer): SshKeyBlob {
  if (raw.length !== 32)
    throw new SecurityError('KEY_INVALID', `an Ed25519 public key has 32 bytes, not ${raw.length}`);
  const type = Buffer.from('ssh-ed25519');
  const blob = Buffer.alloc(4 + type.length + 4 + 32);
  blob.writeUInt32BE(type.length, 0);
  type.copy(blob, 4);
  blob.writeUInt32BE(32, 4 + type.length);
  raw.copy(blob, 8 + type.length);
  return { type: 'ssh-ed25519', blob, fingerprint: sshFingerprint(blob) };
}

function skip(text: string, at: number): number {
  while (at < text.length && SEPARATORS.includes(text[at] as string)) at++;
  return at;
}

function word(text: string, at: number): string {
  let end = at;
  while (end < text.length && !SEPARATORS.includes(text[end] as string)) end++;
  return text.slice(at, end);
}

/** The end of the options field: the first space or tab outside quotes; `\"` inside quotes is a quote. */
function endOfOptions(text: string, at: number): number {
  let quoted = false;
  for (; at < text.length; at++) {
    const c = text[at] as string;
    if (!quoted && SEPARATORS.includes(c)) break;
    if (c === '\\' && text[at + 1] === '"') at++;
    else if (c === '"') quoted = !quoted;
  }
  if (quoted) throw new SecurityError('KEY_INVALID', 'an option value has no closing quote');
  return at;
}
