// `tsbuild parse`: dump (default) or JSON on stdout, diagnostics on stderr, exit code.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ParseIo, run } from '../../cli/commands/parse/run.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tsbuild-parse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(stdin = '') {
  const out = { stdout: '', stderr: '' };
  const value: ParseIo = {
    stdout: (t) => {
      out.stdout += t;
    },
    stderr: (t) => {
      out.stderr += t;
    },
    readStdin: async () => new TextEncoder().encode(stdin),
  };
  return { out, io: value };
}

describe('tsbuild parse', () => {
  it('prints the BuildKit dump by default', async () => {
    const file = path.join(dir, 'Dockerfile');
    writeFileSync(file, Buffer.from([...Buffer.from('FROM a\nRUN echo '), 0xff, 0x0a]));
    const { out, io: fake } = io();
    expect(await run({ file, json: false, dump: false }, fake)).toBe(0);
    expect(out).toEqual({ stdout: '(from "a")\n(run "echo \\xff")\n', stderr: '' });
  });

  it('prints the AST as JSON with ranges', async () => {
    const { out, io: fake } = io('FROM a\n');
    expect(await run({ file: '-', json: true, dump: false }, fake)).toBe(0);
    const ast = JSON.parse(out.stdout);
    expect(ast.kind).toBe('dockerfile');
    expect(ast.instructions[0].kind).toBe('from');
    expect(ast.instructions[0].image).toEqual({
      value: 'a',
      range: { start: { line: 1, column: 6, offset: 5 }, end: { line: 1, column: 7, offset: 6 } },
    });
  });

  it('writes diagnostics to stderr and exits 1 on errors', async () => {
    const { out, io: fake } = io('FROM a\nRUN a \\\n\n b\nENV x\n');
    expect(await run({ file: '-', json: false, dump: true }, fake)).toBe(1);
    expect(out.stderr).toBe(
      '<stdin>:2:1: warning: Empty continuation line found in: RUN a  b\n<stdin>:5:5: error: ENV must have two arguments\n',
    );
  });

  it('reports an unreadable file', async () => {
    const { out, io: fake } = io();
    expect(await run({ file: path.join(dir, 'missing'), json: false, dump: false }, fake)).toBe(1);
    expect(out.stderr).toBe(`${path.join(dir, 'missing')}: error: cannot read file: ENOENT\n`);
  });
});
