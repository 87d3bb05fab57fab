import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/temp-dirs.js';

const UNIT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../contrib/systemd/framesh.service');
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;

/** contrib/systemd/framesh.service: hardened as issue 10 asks, and a unit systemd itself accepts. */
describe('contrib/systemd/framesh.service', () => {
  const text = readFileSync(UNIT, 'utf8');
  const directives = new Map(
    text
      .split('\n')
      .filter((line) => /^[A-Za-z]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
  );

  it('runs serve under a dedicated account with the hardening directives', () => {
    assert.match(directives.get('ExecStart') ?? '', /framesh serve /);
    assert.equal(directives.get('User'), 'framesh');
    assert.equal(directives.get('NoNewPrivileges'), 'yes');
    assert.equal(directives.get('ProtectSystem'), 'strict');
    assert.equal(directives.get('ProtectHome'), 'read-only');
    assert.equal(directives.get('PrivateTmp'), 'yes');
    assert.equal(directives.get('ReadWritePaths'), '/var/lib/framesh');
    assert.match(
      directives.get('Environment') ?? '',
      /^FRAMESH_HOME=\/var\/lib\/framesh\//,
      'its keys are under the writable path',
    );
    assert.equal(directives.get('ExecReload'), '/bin/kill -HUP $MAINPID', "reload is serve's SIGHUP");
  });

  it('passes systemd-analyze verify', { skip: !hasSystemdAnalyze && 'systemd-analyze is not installed' }, () => {
    // verify checks that ExecStart exists; the unit names the usual install path, so point it at a program that does.
    const dir = tempDir('framesh-unit-');
    const copy = path.join(dir, 'framesh.service');
    writeFileSync(copy, text.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
    const result = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr.trim(), '', 'no warnings');
  });
});
