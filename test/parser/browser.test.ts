// The parser module is browser-safe: it bundles for the browser, runs without Node globals, and imports
// nothing from `node:` and nothing outside parser/ except chevrotain.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

const parserDir = path.join(repoRoot, 'parser');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out.sort();
}

describe('browser safety', () => {
  it('every import in parser/ is relative (inside parser/) or chevrotain', () => {
    const bad: string[] = [];
    const specifier = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
    for (const file of sourceFiles(parserDir)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(specifier)) {
        const spec = m[1] ?? m[2];
        if (spec === 'chevrotain') continue;
        if (spec.startsWith('.')) {
          const target = path.resolve(path.dirname(file), spec);
          if (!target.startsWith(parserDir + path.sep)) bad.push(`${path.relative(repoRoot, file)}: ${spec}`);
          continue;
        }
        bad.push(`${path.relative(repoRoot, file)}: ${spec}`);
      }
      for (const global of ['process.', 'Buffer.', 'require(']) {
        if (text.includes(global)) bad.push(`${path.relative(repoRoot, file)}: uses ${global}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('bundles for the browser and parses in a context without Node globals', async () => {
    const result = await build({
      entryPoints: [path.join(parserDir, 'index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'tsbuildParser',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const code = result.outputFiles[0].text;
    expect(code).not.toMatch(/["']node:/);
    const context = vm.createContext({ TextDecoder, TextEncoder });
    vm.runInContext(code, context);
    const output = vm.runInContext(
      `(() => {
        const hasNode = typeof require !== 'undefined' || typeof process !== 'undefined' || typeof Buffer !== 'undefined';
        const { ast, diagnostics } = tsbuildParser.parse('FROM alpine AS b\\nRUN --mount=type=cache,target=/c ["echo", "hi"]\\n');
        return JSON.stringify({ hasNode, dump: tsbuildParser.toBuildKitDump(ast), diagnostics: diagnostics.length });
      })()`,
      context,
    );
    expect(JSON.parse(output)).toEqual({
      hasNode: false,
      dump: '(from "alpine" "AS" "b")\n(run ["--mount=type=cache,target=/c"] "echo" "hi")\n',
      diagnostics: 0,
    });
  });
});
