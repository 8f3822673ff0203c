// Bundles the CLI into dist/bin/ (the package's `bin`): one entry file plus lazily loaded chunks, one per command,
// so that start-up resolves and compiles a few files instead of ~200 modules. `tsc` output in dist/ stays the
// library surface (`tsbuild/parser`, `tsbuild/lint`). Run after `tsc`: `node scripts/bundle.mjs`.
import { chmodSync, cpSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist/bin');

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

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { tsbuild: 'cli/main.ts' },
  outdir,
  bundle: true,
  format: 'esm',
  splitting: true,
  platform: 'node',
  target: 'node22',
  minify: true,
  // Chunks sit beside the entry, so `../locales` from any chunk is dist/bin/locales.
  chunkNames: '[name]-[hash]',
  legalComments: 'linked',
  plugins: [yargsLocales],
  logLevel: 'warning',
});
cpSync(path.join(root, 'node_modules/yargs/locales'), path.join(outdir, 'locales'), { recursive: true });
chmodSync(path.join(outdir, 'tsbuild.js'), 0o755);
