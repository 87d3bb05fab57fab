// Builds the posix_spawn addon (binding.gyp) at install time. Never fails the install: without a
// compiler, on another OS, or without Node's headers, framesh starts commands through child_process
// instead and `serve` says so (docs/ARCHITECTURE.md, "Spawning").
// Headers come from the Node installation itself (<prefix>/include/node), never downloaded.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const note = (text) => process.stderr.write(`framesh: ${text}\n`);

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp, // set by npm for lifecycle scripts
    path.join(path.dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ];
  return candidates.find((file) => file && existsSync(file));
}

function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include/node/node_api.h')) ? prefix : undefined;
}

function main() {
  if (process.platform !== 'linux')
    return note(`posix_spawn addon is Linux-only; ${process.platform} uses child_process`);
  const gyp = nodeGyp();
  const dir = nodeDir();
  if (!gyp) return note('node-gyp not found: posix_spawn addon not built; commands start through child_process');
  if (!dir)
    return note(
      "Node's headers not found (include/node): posix_spawn addon not built; commands start through child_process",
    );
  const result = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${dir}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) note('posix_spawn addon failed to build (above); commands start through child_process');
}

main();
