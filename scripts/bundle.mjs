// Bundles the CLI into dist/bin/ (the package's `bin`): tsbuild-cli.cjs, the whole CLI in one script, and tsbuild.js,
// the loader that runs it with a V8 code cache (cli/loader.ts), so that start-up neither resolves ~200 modules nor
// compiles again what it ran before. `tsc` output in dist/ stays the library surface (`tsbuild/parser`,
// `tsbuild/lint`). Run after `tsc`: `node scripts/bundle.mjs`.
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// BUNDLE_OUT (another directory) and BUNDLE_MINIFY=0 give a readable bundle for profiling: `node --cpu-prof` on it.
const outdir = path.resolve(root, process.env.BUNDLE_OUT ?? 'dist/bin');

// yargs' ESM shim finds its message translations at `<shim file>/../../../locales`. Bundled, the shim's code
// lives in a chunk in dist/bin/, so point it at dist/bin/locales and copy the files there: help and errors stay
// translated exactly as with unbundled yargs.
const LOCALES_FROM = "resolve(__dirname, '../../../locales')";
const LOCALES_TO = "resolve(__dirname, '../locales')";
const yargsLocales = {
  name: 'yargs-locales',
  setup(b) {
    b.onLoad({ filter: /yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes(LOCALES_FROM)) throw new Error(`yargs shim changed: ${LOCALES_FROM} not found`);
      return { contents: source.replace(LOCALES_FROM, LOCALES_TO), loader: 'js' };
    });
  },
};

// Node's built-in modules without ESM facades, and the heavy ones loaded on first use. An ESM `import … from
// 'node:zlib'` loads the module before any code runs, and its facade reads every export, which runs lazy getters
// (node:fs's ReadStream loads the streams, node:util's `diff` creates process.stderr, node:crypto's `webcrypto`
// …). Here each built-in is a small ES module over `process.getBuiltinModule`, whose exports esbuild drops when
// unused (`@__PURE__`). Modules in LAZY_BUILTINS (child processes, sockets, compression, workers: what only a RUN
// step, an export, a pull or a context worker needs) are not even loaded until used: their function and class
// exports are proxies that load the module when first called, constructed, extended or read.
const LAZY_BUILTINS = new Set([
  'child_process',
  'zlib',
  'net',
  'worker_threads',
  'http',
  'https',
  'http2',
  'tls',
  'dgram',
  'dns',
  'readline',
  'timers/promises',
  'perf_hooks',
  'inspector',
  'v8',
  'vm',
  'cluster',
]);
const builtinNames = new Set(builtinModules.filter((name) => !name.startsWith('_')));
const RUNTIME = '(runtime)';
// process.getBuiltinModule came with Node 22.3; the package allows any 22.
const builtinRuntime = `
import { createRequire } from 'node:module';
const promisified = Symbol.for('nodejs.util.promisify.custom');
const get = process.getBuiltinModule ?? createRequire(import.meta.url);
export const builtin = (id) => get(id);
export const pick = (object, key, loaded) => (loaded ? object() : object)[key];
export function loader(id) {
  let loaded;
  return () => (loaded ??= get(id));
}
/** Stands for a function or class of a module not loaded yet: calls, new, extends, instanceof reach the real one. */
export function lazyFunction(load, key, custom) {
  const real = () => load()[key];
  let customFn;
  const proxy = new Proxy(function () {}, {
    apply: (_, self, args) => Reflect.apply(real(), self, args),
    construct: (_, args, newTarget) => Reflect.construct(real(), args, newTarget === proxy ? real() : newTarget),
    // util.promisify(execFile) at module level must not load child_process, yet keep its custom promise form.
    get: (_, name) =>
      name === promisified && custom ? (customFn ??= (...args) => real()[promisified](...args)) : Reflect.get(real(), name),
    has: (_, name) => Reflect.has(real(), name),
    set: (_, name, value) => Reflect.set(real(), name, value),
  });
  return proxy;
}
/** The default export of a module not loaded yet (\`zlib.createGzip()\`). */
export function lazyObject(load) {
  return new Proxy({}, {
    get: (_, name) => Reflect.get(load(), name),
    has: (_, name) => Reflect.has(load(), name),
    set: (_, name, value) => Reflect.set(load(), name, value),
  });
}
`;

/** The ES module standing for built-in NAME: only its exports that the bundle uses survive tree shaking. */
function builtinModuleSource(name) {
  const id = JSON.stringify(`node:${name}`);
  const real = process.getBuiltinModule(`node:${name}`);
  const keys = Object.keys(real).filter((key) => key !== 'default');
  const lazy = LAZY_BUILTINS.has(name);
  const lines = [`import { builtin, pick, loader, lazyFunction, lazyObject } from ${JSON.stringify(RUNTIME)};`];
  if (lazy) {
    lines.push(`const load = /* @__PURE__ */ loader(${id});`, 'export default /* @__PURE__ */ lazyObject(load);');
  } else {
    lines.push(`const m = /* @__PURE__ */ builtin(${id});`, 'export default m;');
  }
  keys.forEach((key, i) => {
    const k = JSON.stringify(key);
    const value = real[key];
    // Values that are not functions (constants, strings) are read when the importing chunk loads.
    const init = !lazy
      ? `pick(m, ${k})`
      : typeof value === 'function'
        ? `lazyFunction(load, ${k}, ${typeof value[Symbol.for('nodejs.util.promisify.custom')] === 'function'})`
        : `pick(load, ${k}, true)`;
    lines.push(`const $${i} = /* @__PURE__ */ ${init};`, `export { $${i} as ${k} };`);
  });
  return lines.join('\n');
}

const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_/]+$|^\(runtime\)$/ }, (args) => {
      if (args.path === RUNTIME) return { path: RUNTIME, namespace: 'builtin' };
      if (args.importer === RUNTIME) return { path: args.path, external: true };
      const name = args.path.replace(/^node:/, '');
      if (!builtinNames.has(name)) return undefined;
      // `await import('node:os')` is lazy already, and wants the real module namespace.
      if (args.kind === 'dynamic-import') return { path: `node:${name}`, external: true };
      return { path: name, namespace: 'builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: args.path === RUNTIME ? builtinRuntime : builtinModuleSource(args.path),
      loader: 'js',
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
/**
 * A digest of the linter's sources: the bundled CLI remembers the build checks of a Dockerfile under it
 * (cli/commands/build/check-memo.ts), so that another tsbuild's rules never answer for this one's.
 */
function lintSourcesDigest() {
  const hash = createHash('sha256');
  const files = readdirSync(path.join(root, 'lint'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .sort();
  for (const file of files)
    hash
      .update(`${file}\0`)
      .update(readFileSync(path.join(root, 'lint', file)))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}

// Both outputs are CommonJS scripts; code that asks for its own URL gets the script's.
const scriptUrl = { 'import.meta.url': '__tsbuildScriptUrl' };
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: process.env.BUNDLE_MINIFY !== '0',
  legalComments: 'linked',
  logLevel: 'warning',
  banner: { js: 'const __tsbuildScriptUrl = require("node:url").pathToFileURL(__filename).href;' },
};
// The CLI: one CommonJS script, which cli/loader.ts runs with a V8 code cache taken after a run (see there). Each
// command's modules are still evaluated only when it runs (esbuild wraps the targets of `import()` in lazy
// initialisers); `import()` of a built-in becomes a require, so the script needs no ES module loader.
await build({
  ...common,
  define: { ...scriptUrl, TSBUILD_LINT_DIGEST: JSON.stringify(lintSourcesDigest()) },
  entryPoints: { 'tsbuild-cli': 'cli/main.ts' },
  outExtension: { '.js': '.cjs' },
  outdir,
  supported: { 'dynamic-import': false },
  plugins: [yargsLocales, lazyBuiltins],
});
const cliBytes = readFileSync(path.join(outdir, 'tsbuild-cli.cjs'));
// esbuild escapes every non-ASCII character of the minified bundle; an unminified one keeps those of comments.
// The loader reads an ASCII bundle as latin1, which needs no UTF-8 decoding (cli/loader.ts).
const cliEncoding = cliBytes.some((byte) => byte > 0x7f) ? 'utf8' : 'latin1';
const cliDigest = createHash('sha256').update(cliBytes).digest('hex').slice(0, 16);
// The executable: the loader, told which bundle its code caches belong to. CommonJS too (dist/bin/package.json says
// so): an ES module would start Node's ES module loader, a few ms of every run.
await build({
  ...common,
  define: {
    ...scriptUrl,
    TSBUILD_BUNDLE_ID: JSON.stringify(cliDigest),
    TSBUILD_BUNDLE_ENCODING: JSON.stringify(cliEncoding),
  },
  entryPoints: { tsbuild: 'cli/loader.ts' },
  outdir,
  plugins: [lazyBuiltins],
});
writeFileSync(path.join(outdir, 'package.json'), '{"type":"commonjs"}\n');
cpSync(path.join(root, 'node_modules/yargs/locales'), path.join(outdir, 'locales'), { recursive: true });
chmodSync(path.join(outdir, 'tsbuild.js'), 0o755);
