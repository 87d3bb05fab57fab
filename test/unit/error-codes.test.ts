import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FrameshError, LimitError, ProtocolError, RemoteError } from '../../src/errors.js';
import { LOCAL_ERROR_CODES, WIRE_ERROR_CODES } from '../../src/error-codes.js';
import { FileError } from '../../src/server/files/file-errors.js';

/** The rows of docs/ERRORS.md's table: code → whether its "wire" column says yes. */
function documentedCodes(): Map<string, boolean> {
  const text = readFileSync(new URL('../../docs/ERRORS.md', import.meta.url), 'utf8');
  const rows = new Map<string, boolean>();
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const code = /^`([A-Z_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (code) rows.set(code, (cells[4] ?? '').startsWith('yes'));
  }
  return rows;
}

describe('error codes', () => {
  it('every code in the union has a row in docs/ERRORS.md and every row is a code of the union', () => {
    const documented = documentedCodes();
    const listed = new Set<string>([...WIRE_ERROR_CODES, ...LOCAL_ERROR_CODES]);
    assert.deepEqual(
      [...listed].filter((c) => !documented.has(c)),
      [],
      'codes without a row in docs/ERRORS.md',
    );
    assert.deepEqual(
      [...documented.keys()].filter((c) => !listed.has(c)),
      [],
      'rows of docs/ERRORS.md that are no code',
    );
  });

  it('the "wire" column of docs/ERRORS.md says yes exactly for the wire codes', () => {
    const documented = documentedCodes();
    for (const code of WIRE_ERROR_CODES) assert.equal(documented.get(code), true, `${code} is a wire code`);
    for (const code of LOCAL_ERROR_CODES) assert.equal(documented.get(code), false, `${code} is local`);
  });

  it('a code this version does not know arrives as REMOTE_UNKNOWN, the peer code kept', () => {
    const unknown = new RemoteError('TELEPORT_FAILED', 'beam me up');
    assert.equal(unknown.code, 'REMOTE_UNKNOWN');
    assert.equal(unknown.remoteCode, 'TELEPORT_FAILED');
    assert.equal(unknown.message, 'beam me up');
    const known = new RemoteError('ENOSPC', 'disk full');
    assert.equal(known.code, 'ENOSPC');
    assert.equal(known.remoteCode, 'ENOSPC');
    // Object.prototype names are not codes either.
    assert.equal(new RemoteError('constructor', 'x').code, 'REMOTE_UNKNOWN');
  });

  it('code, name and message are plain own properties, as before', () => {
    const err = new LimitError('too big');
    assert.deepEqual(Object.keys(err).includes('code'), true);
    assert.equal(err.name, 'LimitError');
    assert.equal(JSON.stringify({ ...err }), '{"code":"LIMIT","name":"LimitError"}');
  });

  it('instanceof works across two copies of the package (the Symbol.for brand)', async () => {
    // A second module instance of errors.ts and file-errors.ts, as two installed copies would be.
    const copy = (await import(`../../src/errors.ts?copy=${Date.now()}`)) as typeof import('../../src/errors.js');
    const theirs = new copy.ProtocolError('from the other copy');
    assert.notEqual(copy.ProtocolError, ProtocolError);
    assert.ok(theirs instanceof FrameshError);
    assert.ok(theirs instanceof ProtocolError);
    assert.ok(!(theirs instanceof LimitError));
    assert.ok(!(theirs instanceof RemoteError));
    const ours = new FileError('ENOENT', 'nothing');
    assert.ok(ours instanceof copy.FrameshError);
    assert.ok(!(ours instanceof copy.ProtocolError));
    assert.ok(!(new Error('plain') instanceof FrameshError));
    assert.ok(!((null as unknown as object) instanceof FrameshError));
    assert.ok(!({ code: 'LIMIT' } instanceof FrameshError));
  });
});
