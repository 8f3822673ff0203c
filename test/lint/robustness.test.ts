// Damaged input never crashes the linter: every corpus file cut at several points, with CRLF line ends, a
// dangling escape at the end, and spaces turned into tabs. A rule that throws shows up as `internal-error`.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { lint } from '../../lint/index.js';
import { sharedRoot } from './helpers.js';

function listFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}

it('survives truncated and mangled corpus files', () => {
  const failures: string[] = [];
  for (const file of listFiles(path.join(sharedRoot, 'corpus/dockerfiles')).sort()) {
    const text = readFileSync(file, 'utf8');
    for (const cut of [0.13, 0.37, 0.61, 0.89]) {
      const prefix = text.slice(0, Math.floor(text.length * cut));
      for (const variant of [prefix, prefix.replace(/\n/g, '\r\n'), `${prefix}\\`, prefix.replace(/ /g, '\t')]) {
        try {
          for (const f of lint(variant)) if (f.rule === 'internal-error') failures.push(`${file} ${cut}: ${f.message}`);
        } catch (error) {
          failures.push(`${file} ${cut}: threw ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  }
  expect(failures).toEqual([]);
});
