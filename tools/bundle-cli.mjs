// Bundles the built CLI (dist/cli/run-cli.js and everything it imports of framesh's, with commander) into
// one CommonJS file, dist/cli/framesh.bundle.cjs, which dist/cli/main.js runs with V8's code cache
// (src/cli/compile-cache.ts; docs/ARCHITECTURE.md "Decisions"). Runs after tsc in `npm run build`.
// The other dependencies stay outside (required from node_modules when used): they are off the paths
// whose start-up counts, and some (node-pty, ssh2, pino) find files of their own beside their code.
import * as esbuild from 'esbuild';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const OUT = path.join(DIST, 'cli', 'framesh.bundle.cjs');
const BUNDLED_PACKAGES = new Set(['commander']);

/**
 * Each module's import.meta.url becomes the URL of its file in dist/, computed from the bundle's own
 * place when it runs, so that paths made from it (the native addon, the spawn helper, web/static,
 * package.json) are the ones the unbundled modules use, wherever the package is installed.
 */
const moduleUrls = {
  name: 'module-urls',
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(DIST + path.sep)) return undefined;
      const relative = path.relative(path.dirname(OUT), args.path).split(path.sep).join('/');
      let contents = (await readFile(args.path, 'utf8')).replaceAll(
        'import.meta.url',
        `__frameshModuleUrl(${JSON.stringify(relative)})`,
      );
      if (relative === '../version.js')
        contents = withVersionInlined(contents, await readFile(path.join(ROOT, 'package.json'), 'utf8'));
      return { contents, loader: 'js' };
    });
  },
};

/**
 * commander's `require('node:child_process')`, which it uses only for executable subcommands (framesh has
 * none), is loaded on first use: it brought child_process, dgram and their internals into every start.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}commander${path.sep}`)
        ? { path: 'child_process', namespace: 'lazy' }
        : undefined,
    );
    build.onLoad({ filter: /^child_process$/, namespace: 'lazy' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, name) => require('node:child_process')[name] });",
      loader: 'js',
    }));
  },
};

/** version.js reads package.json through require() (~1–2 ms of every start); the bundle has it as a literal. */
function withVersionInlined(source, packageJson) {
  const { version } = JSON.parse(packageJson);
  const inlined = source.replace("require('../package.json')", `({ version: ${JSON.stringify(version)} })`);
  if (inlined === source) throw new Error('bundle-cli: dist/version.js no longer reads ../package.json as expected');
  return inlined;
}

/** Every package but commander is left to require() at run time. */
const dependenciesOutside = {
  name: 'dependencies-outside',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return undefined;
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      return BUNDLED_PACKAGES.has(name) || args.importer.includes(`${path.sep}node_modules${path.sep}`)
        ? undefined
        : { path: args.path, external: true };
    });
  },
};

const result = await esbuild.build({
  entryPoints: [path.join(DIST, 'cli', 'run-cli.js')],
  outfile: OUT,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  charset: 'ascii', // compile-cache.ts reads the bundle as latin1
  logLevel: 'silent',
  banner: {
    js: "const __frameshModuleUrl = (relative) => require('node:url').pathToFileURL(require('node:path').join(__dirname, relative)).href;",
  },
  plugins: [lazyChildProcess, moduleUrls, dependenciesOutside],
  metafile: true,
});
// The bundle runs as a vm.Script, where import() needs an experimental loader hook: take packages with
// require(), and framesh's own modules esbuild inlines.
const dynamicImports = result.metafile.outputs[path.relative(ROOT, OUT)].imports.filter(
  (i) => i.kind === 'dynamic-import',
);
if (dynamicImports.length > 0) {
  throw new Error(`bundle-cli: import() of ${dynamicImports.map((i) => i.path).join(', ')}; require() it instead`);
}
const problems = [...result.errors, ...result.warnings];
if (problems.length > 0) {
  const text = await esbuild.formatMessages(problems, { kind: 'warning' });
  console.error(text.join('\n'));
  throw new Error(`bundle-cli: ${problems.length} error(s) or warning(s); the bundle would not run as the modules do`);
}
