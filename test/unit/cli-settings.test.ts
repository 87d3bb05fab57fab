import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { collectSetting, findSetting, parseSettingAssignment, SETTINGS } from '../../src/cli/settings.js';

describe('connection settings (-o Key=Value; the names a config file uses too)', () => {
  it('reads each setting by its ssh_config name, case-insensitively, with = or a space', () => {
    assert.deepEqual(parseSettingAssignment('Port=2200'), { port: 2200 });
    assert.deepEqual(parseSettingAssignment('port 2200'), { port: 2200 });
    assert.deepEqual(parseSettingAssignment('ConnectTimeout=5'), { connectTimeoutMs: 5000 });
    assert.deepEqual(parseSettingAssignment('connecttimeout=250ms'), { connectTimeoutMs: 250 });
    assert.deepEqual(parseSettingAssignment('IdentityFile=~/.ssh/id_ed25519'), {
      identityFile: `${os.homedir()}/.ssh/id_ed25519`,
    });
    assert.deepEqual(parseSettingAssignment('Fingerprint=SHA256:abc'), { fingerprint: 'SHA256:abc' });
    assert.deepEqual(parseSettingAssignment('HostName=10.0.0.5'), { hostName: '10.0.0.5' });
    for (const value of ['ask', 'yes', 'accept-new', 'no', 'Accept-New']) {
      assert.deepEqual(parseSettingAssignment(`StrictHostKeyChecking=${value}`), {
        strictHostKeyChecking: value.toLowerCase(),
      });
    }
  });

  it('refuses unknown names and bad values with a clear message', () => {
    assert.throws(
      () => parseSettingAssignment('User=root'),
      (err: Error) =>
        err instanceof InvalidArgumentError && /unknown setting "User"; known: HostName, Port/.test(err.message),
    );
    assert.throws(() => parseSettingAssignment('Port=0'), /expected a port 1-65535/);
    assert.throws(() => parseSettingAssignment('Port=70000'), /expected a port/);
    assert.throws(() => parseSettingAssignment('Port=22x'), /expected a port/);
    assert.throws(() => parseSettingAssignment('ConnectTimeout=0'), /more than 0/);
    assert.throws(() => parseSettingAssignment('StrictHostKeyChecking=maybe'), /one of ask, yes, accept-new, no/);
    assert.throws(() => parseSettingAssignment('Fingerprint='), /needs a value/);
    assert.throws(() => parseSettingAssignment('=x'), /expected Key=Value/);
  });

  it('the first value given for a setting wins, as in ssh', () => {
    let settings = collectSetting('Port=2200', undefined);
    settings = collectSetting('Port=2300', settings);
    settings = collectSetting('ConnectTimeout=1s', settings);
    assert.deepEqual(settings, { port: 2200, connectTimeoutMs: 1000 });
  });

  it('every setting is found by its own name', () => {
    for (const setting of SETTINGS) assert.equal(findSetting(setting.name.toUpperCase()), setting);
  });
});
