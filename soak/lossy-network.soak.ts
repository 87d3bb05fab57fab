/**
 * A lossy network: server and client in a network namespace of our own whose loopback drops 5 % of
 * packets at random (nftables `numgen random`; the kernel here has no netem qdisc, and a drop rule is
 * what netem's `loss 5%` does). put, get and an exec stream end byte-exact, and the drop counter proves
 * packets really were lost. Needs root, ip and nft; says why it skips otherwise.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { cli, commandExists, figure, isRoot, MiB, randomFile, scratch, serve, sha256File } from './lib.js';

const NS = `framesh-soak-${process.pid}`;
const SIZE = 32 * MiB;
const LOSS_PERCENT = 5;

function makeLossyNamespace(): string | null {
  if (!isRoot()) return 'needs root (network namespaces)';
  if (!commandExists('ip') || !commandExists('nft')) return 'needs iproute2 and nftables';
  try {
    execFileSync('ip', ['netns', 'add', NS]);
    const inNs = (...args: string[]): void => void execFileSync('ip', ['netns', 'exec', NS, ...args]);
    inNs('ip', 'link', 'set', 'lo', 'up');
    inNs('nft', 'add', 'table', 'inet', 'loss');
    inNs('nft', 'add', 'chain', 'inet', 'loss', 'in', '{ type filter hook input priority 0; }');
    inNs(
      'nft',
      'add',
      'rule',
      'inet',
      'loss',
      'in',
      'numgen',
      'random',
      'mod',
      '100',
      '<',
      String(LOSS_PERCENT),
      'counter',
      'drop',
    );
    return null;
  } catch (err) {
    return `could not set up the namespace: ${(err as Error).message}`;
  }
}

function droppedPackets(): number {
  const rules = execFileSync('ip', ['netns', 'exec', NS, 'nft', 'list', 'chain', 'inet', 'loss', 'in'], {
    encoding: 'utf8',
  });
  return Number(/counter packets (\d+)/.exec(rules)?.[1] ?? 0);
}

const skip = makeLossyNamespace();
after(() => {
  if (!skip) execFileSync('ip', ['netns', 'del', NS]);
});

describe('5 % packet loss', { skip: skip ?? false }, () => {
  it('put, get and an exec stream end byte-exact', { timeout: 300_000 }, async () => {
    const base = scratch('lossy', SIZE * 3);
    const home = path.join(base, 'home');
    const root = path.join(base, 'root');
    const local = path.join(base, 'local');
    for (const dir of [home, root, local]) mkdirSync(dir, { recursive: true, mode: 0o700 });
    randomFile(path.join(local, 'up'), SIZE);
    const expected = await sha256File(path.join(local, 'up'));
    const env = { FRAMESH_HOME: home };
    const server = await serve(['--root', root], { netns: NS, env });
    const target = `127.0.0.1:${server.port}`;
    const before = droppedPackets();

    let began = Date.now();
    const put = await cli(['put', '-q', path.join(local, 'up'), `${target}:up`], { netns: NS, env }).done;
    assert.equal(put.code, 0, put.stderr);
    const putMs = Date.now() - began;
    assert.equal(await sha256File(path.join(root, 'up')), expected);

    began = Date.now();
    const get = await cli(['get', '-q', `${target}:up`, path.join(local, 'down')], { netns: NS, env }).done;
    assert.equal(get.code, 0, get.stderr);
    const getMs = Date.now() - began;
    assert.equal(await sha256File(path.join(local, 'down')), expected);

    began = Date.now();
    const stream = await cli(['exec', '-n', target, '--', 'cat', path.join(root, 'up')], { netns: NS, env }).done;
    assert.equal(stream.code, 0, stream.stderr);
    const execMs = Date.now() - began;
    assert.equal(createHash('sha256').update(stream.stdout).digest('hex'), expected);

    const dropped = droppedPackets() - before;
    assert.ok(dropped > 100, `packets were really dropped (${dropped})`);
    figure('lossy network', {
      lossPercent: LOSS_PERCENT,
      sizeMiB: SIZE / MiB,
      droppedPackets: dropped,
      putMs,
      getMs,
      execMs,
    });
    await server.stop();
  });
});
