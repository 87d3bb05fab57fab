import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRemotePath } from '../../src/cli/remote-path.js';

describe('parseRemotePath', () => {
  const cases: Array<[string, ReturnType<typeof parseRemotePath>]> = [
    ['web1:/srv/www', { host: 'web1', port: 7022, path: '/srv/www' }],
    ['web1:logs/app.log', { host: 'web1', port: 7022, path: 'logs/app.log' }],
    ['web1:', { host: 'web1', port: 7022, path: '.' }],
    ['web1:2222:/tmp/x', { host: 'web1', port: 2222, path: '/tmp/x' }],
    ['[::1]:7023:/tmp/x', { host: '::1', port: 7023, path: '/tmp/x' }],
    ['[::1]:file', { host: '::1', port: 7022, path: 'file' }],
    ['./local:file', null],
    ['/abs/path', null],
    ['plain-local-name', null],
  ];
  for (const [text, expected] of cases) it(`parses ${text}`, () => assert.deepEqual(parseRemotePath(text), expected));
});
