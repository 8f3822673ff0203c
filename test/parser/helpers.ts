// Shared paths and small helpers for the parser tests.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../../parser/index.js';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const sharedDir = path.resolve(repoRoot, '../shared');
export const parserData = path.join(sharedDir, 'conformance/buildkit/parser');
export const corpusDir = path.join(sharedDir, 'corpus');

export function readBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(file));
}

export function errors(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
}

/** A tiny seeded PRNG (mulberry32), so property tests are reproducible without a dependency. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
