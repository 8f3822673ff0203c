import { it } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { lint } from '../../lint/index.js';
const root = '/work/shared/corpus/dockerfiles';
function list(d: string): string[] { return readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? list(path.join(d, e.name)) : [path.join(d, e.name)]); }
it('review', () => {
  const want = new Set((process.env.RULES ?? '').split(','));
  for (const file of list(root).sort()) {
    const rel = path.relative(root, file);
    const text = readFileSync(file, 'utf8');
    const dump = path.join('/work/shared/corpus/expected', rel + '.dump');
    const err = existsSync(dump) && readFileSync(dump, 'utf8').startsWith('ERROR') ? ' [BK-ERROR]' : '';
    for (const f of lint(text)) {
      if (!want.has(f.rule)) continue;
      const line = text.split('\n')[f.range.start.line - 1];
      console.log(`${rel}:${f.range.start.line}:${f.range.start.column}${err} ${f.rule} ${f.message}\n    | ${line.slice(0, 150)}`);
    }
  }
});
