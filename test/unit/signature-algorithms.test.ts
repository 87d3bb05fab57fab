import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { AuthFailures } from '../../src/security/auth-failures.js';
import { authPayload } from '../../src/security/auth-proof.js';
import { AuthorizedKeys } from '../../src/security/authorized-keys.js';
import { KeyAuthenticator } from '../../src/security/key-authenticator.js';
import { formatSshPublicKey, parsePublicKeyLine } from '../../src/security/public-key-format.js';
import { signWith, verifyWith, type SignatureAlgorithm } from '../../src/security/signature-algorithms.js';
import { tempDir } from '../helpers/temp-dirs.js';

const KEYS = {
  ed25519: generateKeyPairSync('ed25519'),
  rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  p256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  p384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  p521: generateKeyPairSync('ec', { namedCurve: 'P-521' }),
};
const CASES: Array<[SignatureAlgorithm, keyof typeof KEYS]> = [
  ['ssh-ed25519', 'ed25519'],
  ['rsa-sha2-256', 'rsa'],
  ['rsa-sha2-512', 'rsa'],
  ['ecdsa-sha2-nistp256', 'p256'],
  ['ecdsa-sha2-nistp384', 'p384'],
  ['ecdsa-sha2-nistp521', 'p521'],
];

describe('signature algorithms of the §10.2 proof', () => {
  for (const [alg, name] of CASES) {
    it(`${alg}: signs and verifies; a changed byte, other data or another algorithm fail`, () => {
      const { privateKey, publicKey } = KEYS[name];
      const data = randomBytes(100);
      const signature = signWith(alg, privateKey, data);
      assert.equal(verifyWith(alg, publicKey, data, signature), true);
      const flipped = Buffer.from(signature);
      flipped[flipped.length - 1] ^= 1;
      assert.equal(verifyWith(alg, publicKey, data, flipped), false);
      assert.equal(verifyWith(alg, publicKey, randomBytes(100), signature), false);
      assert.equal(verifyWith(alg, publicKey, data, Buffer.concat([signature, Buffer.alloc(1)])), false);
      assert.equal(verifyWith(alg, publicKey, data, Buffer.alloc(0)), false);
      for (const [other] of CASES.filter(([a]) => a !== alg))
        assert.equal(verifyWith(other, publicKey, data, signature), false);
    });
  }

  it('never throws on random signature bytes', () => {
    for (const [alg, name] of CASES) {
      for (let i = 0; i < 50; i++)
        assert.equal(verifyWith(alg, KEYS[name].publicKey, Buffer.from('x'), randomBytes(i * 3)), false);
    }
  });

  it('refuses RSA keys under 2048 bits even with a valid signature', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const signature = signWith('rsa-sha2-256', small.privateKey, Buffer.from('x'));
    assert.equal(verifyWith('rsa-sha2-256', small.publicKey, Buffer.from('x'), signature), false);
  });

  it('public key lines of every type round-trip, and only in canonical form', () => {
    for (const [, name] of CASES) {
      const line = formatSshPublicKey(KEYS[name].publicKey, 'me@here');
      const parsed = parsePublicKeyLine(`no-pty ${line}`);
      assert.equal(parsed?.comment, 'me@here');
      assert.equal(formatSshPublicKey(parsed!.key, parsed!.comment), line);
      const [type, data] = line.split(' ') as [string, string];
      const padded = Buffer.concat([Buffer.from(data, 'base64'), Buffer.from([0])]).toString('base64');
      assert.throws(() => parsePublicKeyLine(`${type} ${padded}`), { code: 'KEY_INVALID' });
    }
    assert.throws(() => parsePublicKeyLine(`ssh-rsa ${formatSshPublicKey(KEYS.p256.publicKey).split(' ')[1]}`), {
      code: 'KEY_INVALID',
    });
  });
});

describe('KeyAuthenticator (in memory, no socket)', () => {
  const home = tempDir('framesh-authn-');
  const file = path.join(home, 'authorized_keys');
  writeFileSync(file, CASES.map(([, name]) => formatSshPublicKey(KEYS[name].publicKey, name)).join('\n'));
  const exporterValue = randomBytes(32);
  const authenticator = (): KeyAuthenticator =>
    new KeyAuthenticator(
      exporterValue,
      new AuthorizedKeys(file),
      new AuthFailures(0),
      { address: 'test', graceDeadlineMs: Date.now() + 60_000, onClose: () => () => {}, isClosed: () => false },
      { succeeded() {}, failed() {} },
      () => {},
    );

  for (const [alg, name] of CASES) {
    it(`accepts ${alg} over this session's exporter value, refuses it over another's`, async () => {
      const publicKey = formatSshPublicKey(KEYS[name].publicKey);
      const sign = (ekm: Buffer): string =>
        signWith(alg, KEYS[name].privateKey, authPayload(ekm, publicKey, alg)).toString('base64');
      const identity = await authenticator().authenticate({
        type: 'auth',
        method: 'publickey',
        alg,
        publicKey,
        signature: sign(exporterValue),
      });
      assert.equal(identity.fingerprint, parsePublicKeyLine(publicKey)?.fingerprint);
      assert.equal(identity.comment, name);
      await assert.rejects(
        authenticator().authenticate({
          type: 'auth',
          method: 'publickey',
          alg,
          publicKey,
          signature: sign(randomBytes(32)),
        }),
        { code: 'AUTH_FAILED' },
      );
    });
  }

  it('refuses an unknown algorithm, an algorithm that does not fit the key, and the alg left out of the payload', async () => {
    const publicKey = formatSshPublicKey(KEYS.rsa.publicKey);
    const payload = authPayload(exporterValue, publicKey, 'rsa-sha2-256');
    const good = signWith('rsa-sha2-256', KEYS.rsa.privateKey, payload).toString('base64');
    for (const alg of ['ssh-rsa', 'ecdsa-sha2-nistp256', 'rsa-sha2-1024', '__proto__']) {
      await assert.rejects(
        authenticator().authenticate({ type: 'auth', method: 'publickey', alg, publicKey, signature: good }),
        { code: 'AUTH_FAILED' },
      );
    }
    const withoutAlg = signWith(
      'rsa-sha2-256',
      KEYS.rsa.privateKey,
      authPayload(exporterValue, publicKey, null),
    ).toString('base64');
    await assert.rejects(
      authenticator().authenticate({
        type: 'auth',
        method: 'publickey',
        alg: 'rsa-sha2-256',
        publicKey,
        signature: withoutAlg,
      }),
      { code: 'AUTH_FAILED' },
    );
    // The first form (method "ed25519") is Ed25519 only.
    await assert.rejects(
      authenticator().authenticate({ type: 'auth', method: 'ed25519', publicKey, signature: good }),
      { code: 'AUTH_FAILED' },
    );
  });

  it('still accepts the first form, method "ed25519" without alg', async () => {
    const publicKey = formatSshPublicKey(KEYS.ed25519.publicKey);
    const signature = signWith(
      'ssh-ed25519',
      KEYS.ed25519.privateKey,
      authPayload(exporterValue, publicKey, null),
    ).toString('base64');
    const identity = await authenticator().authenticate({ type: 'auth', method: 'ed25519', publicKey, signature });
    assert.equal(identity.comment, 'ed25519');
  });
});
