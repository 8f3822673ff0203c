// Real-world corpus: every file dumps exactly as BuildKit does, or reports BuildKit's error message.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, toBuildKitDump } from '../../parser/index.js';
import { corpusDir, errors, readBytes } from './helpers.js';

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out.sort();
}

describe('corpus', () => {
  const root = path.join(corpusDir, 'dockerfiles');
  const files = listFiles(root).map((f) => path.relative(root, f));

  it('has 1,152 files', () => expect(files).toHaveLength(1152));

  it('every file matches its expected dump or BuildKit error', () => {
    const failures: string[] = [];
    for (const rel of files) {
      const expected = readFileSync(path.join(corpusDir, 'expected', `${rel}.dump`), 'utf8');
      const { ast, diagnostics } = parse(readBytes(path.join(root, rel)));
      const errs = errors(diagnostics);
      if (expected.startsWith('ERROR: ')) {
        const message = expected.slice('ERROR: '.length).replace(/\n$/, '');
        if (!errs.includes(message)) failures.push(`${rel}: expected error ${message}, got ${JSON.stringify(errs)}`);
      } else if (errs.length > 0) {
        failures.push(`${rel}: unexpected errors ${JSON.stringify(errs)}`);
      } else if (toBuildKitDump(ast) !== expected) {
        failures.push(`${rel}: dump differs`);
      }
    }
    expect(failures).toEqual([]);
  });
});
