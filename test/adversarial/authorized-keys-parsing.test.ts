/**
 * Issue 9 defect 9: authorized_keys lines are read as OpenSSH reads them (options, key type, base64,
 * comment). Each case here was accepted before: a key anywhere on the line authorized, whatever preceded
 * or quoted it.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseAuthorizedKeyLine } from '../../src/security/authorized-key-line.js';
import { formatSshPublicKey } from '../../src/security/public-key-format.js';
import { clientHomeWithKey, startSecureServer } from '../helpers/secure.js';

function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** An mpint (RFC 4251 §5): big-endian, with a zero byte in front when the top bit is set. */
function mpint(bytes: Buffer): Buffer {
  return sshString((bytes[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function rsaLine(comment: string): string {
  const jwk = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
  const blob = Buffer.concat([
    sshString(Buffer.from('ssh-rsa')),
    mpint(Buffer.from(jwk.e as string, 'base64url')),
    mpint(Buffer.from(jwk.n as string, 'base64url')),
  ]);
  return `ssh-rsa ${blob.toString('base64')} ${comment}`;
}

function ecdsaLine(bits: 256 | 384 | 521): string {
  const jwk = generateKeyPairSync('ec', { namedCurve: `P-${bits}` }).publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x as string, 'base64url'),
    Buffer.from(jwk.y as string, 'base64url'),
  ]);
  const type = `ecdsa-sha2-nistp${bits}`;
  return `${type} ${Buffer.concat([sshString(Buffer.from(type)), sshString(Buffer.from(`nistp${bits}`)), sshString(point)]).toString('base64')} ec`;
}

function keyText(key: KeyObject): string {
  return formatSshPublicKey(key).split(' ')[1] as string;
}

describe('authorized_keys lines parsed as OpenSSH parses them', () => {
  const { key } = clientHomeWithKey('parse');
  const ed = `ssh-ed25519 ${keyText(key.publicKey)}`;

  it('reads options, type, base64 and comment in that order, for every OpenSSH key type', () => {
    assert.equal(parseAuthorizedKeyLine(`${ed} me@laptop  with spaces`)?.comment, 'me@laptop  with spaces');
    assert.equal(parseAuthorizedKeyLine(`  \t${ed}`)?.key.type, 'ssh-ed25519');
    assert.equal(parseAuthorizedKeyLine(rsaLine('r'))?.key.type, 'ssh-rsa');
    for (const bits of [256, 384, 521] as const)
      assert.equal(parseAuthorizedKeyLine(ecdsaLine(bits))?.key.type, `ecdsa-sha2-nistp${bits}`);
    const withOptions = parseAuthorizedKeyLine(`no-pty,command="echo \\"hi\\" there" ${ed} c`);
    assert.equal(withOptions?.options.forcedCommand, 'echo "hi" there');
    assert.equal(withOptions?.options.pty, false);
    assert.equal(parseAuthorizedKeyLine('   # a comment'), null);
    assert.equal(parseAuthorizedKeyLine(''), null);
  });

  it('refuses a line whose first word is neither a key type nor a known option (DISABLED ssh-ed25519 KEY)', () => {
    assert.throws(() => parseAuthorizedKeyLine(`DISABLED ${ed}`), { code: 'KEY_INVALID', message: /option disabled/ });
  });

  it('never takes a key from the comment of another line (an ssh-rsa line ending in an ssh-ed25519 key)', () => {
    const line = parseAuthorizedKeyLine(`${rsaLine('x')} ${ed}`);
    assert.equal(line?.key.type, 'ssh-rsa');
    assert.match(line?.comment ?? '', /ssh-ed25519/);
  });

  it('never takes a key from inside a quoted option value', () => {
    const line = parseAuthorizedKeyLine(`command="${ed}" ${rsaLine('y')}`);
    assert.equal(line?.key.type, 'ssh-rsa');
    assert.equal(line?.options.forcedCommand, ed);
    assert.throws(() => parseAuthorizedKeyLine(`command="${ed}"`), { code: 'KEY_INVALID' });
  });

  it('does not take a non-breaking space (or any non-ASCII space) as a separator', () => {
    assert.throws(() => parseAuthorizedKeyLine(ed.replace(' ', '\u00a0')), { code: 'KEY_INVALID' });
    assert.throws(() => parseAuthorizedKeyLine(`no-pty\u00a0${ed}`), { code: 'KEY_INVALID' });
  });

  it('refuses malformed key data: lenient base64, a blob of another type, trailing bytes', () => {
    assert.throws(() => parseAuthorizedKeyLine(`${ed}!!`), { code: 'KEY_INVALID' });
    assert.throws(() => parseAuthorizedKeyLine(`ssh-rsa ${keyText(key.publicKey)}`), { code: 'KEY_INVALID' });
    const blob = Buffer.concat([Buffer.from(keyText(key.publicKey), 'base64'), Buffer.from([0, 0, 0, 0])]);
    assert.throws(() => parseAuthorizedKeyLine(`ssh-ed25519 ${blob.toString('base64')}`), { code: 'KEY_INVALID' });
  });

  it('refuses options framesh does not enforce, and malformed options', () => {
    for (const options of [
      'environment="A=b"',
      'cert-authority',
      'principals="x"',
      'verify-required',
      'no-pty,',
      'command=echo',
      'command="unterminated',
      'from="10.0.0.1/8"',
      'command="a",command="b"',
      'expiry-time="2026"',
    ]) {
      assert.throws(() => parseAuthorizedKeyLine(`${options} ${ed}`), { code: 'KEY_INVALID' }, options);
    }
    for (const options of [
      'restrict,pty',
      'NO-PORT-FORWARDING,no-agent-forwarding,no-X11-forwarding,no-user-rc',
      'permitopen="host:22"',
      'expiry-time="20991231Z"',
    ]) {
      assert.ok(parseAuthorizedKeyLine(`${options} ${ed}`), options);
    }
  });
});

describe('a secure server with such authorized_keys lines', () => {
  for (const [name, lineFor] of [
    ['DISABLED before the key', (ed: string) => `DISABLED ${ed}`],
    ['the key in an ssh-rsa line comment', (ed: string) => `${rsaLine('laptop')} ${ed}`],
    ['the key in a quoted option of an ssh-rsa line', (ed: string) => `command="true ${ed}" ${rsaLine('z')}`],
    ['a non-breaking space as separator', (ed: string) => ed.replace(' ', '\u00a0')],
    ['from= not matching the client', (ed: string) => `from="10.0.0.0/8,!127.0.0.1" ${ed}`],
    ['an expired key', (ed: string) => `expiry-time="20000101Z" ${ed}`],
  ] as const) {
    it(`refuses ${name} (AUTH_FAILED)`, async () => {
      const setup = await startSecureServer();
      const ed = readFileSync(path.join(setup.clientHome, 'id_ed25519.pub'), 'utf8').trim();
      writeFileSync(setup.authorizedKeysFile, `${lineFor(ed)}\n`);
      await assert.rejects(setup.client(), { code: 'AUTH_FAILED' });
    });
  }

  it('accepts from= lines that match the client (CIDR, wildcard, IPv4-mapped)', async () => {
    const setup = await startSecureServer();
    const ed = readFileSync(path.join(setup.clientHome, 'id_ed25519.pub'), 'utf8').trim();
    for (const from of ['127.0.0.0/8', '127.0.0.?,!10.*', '::1,127.0.0.1']) {
      writeFileSync(setup.authorizedKeysFile, `from="${from}" ${ed}\n`);
      await (await setup.client()).close();
    }
  });
});
