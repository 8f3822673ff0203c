// BuildKit's parser test data: testfiles (dump byte for byte), testfiles-negative, and extra-cases.json.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { heredocsFromLine, parseHeredocWord } from '../../parser/heredoc.js';
import { chompHeredocContent, dumpInstruction, parse, toBuildKitDump } from '../../parser/index.js';
import { parseWords } from '../../parser/words.js';
import { errors, parserData, readBytes } from './helpers.js';

const extra = JSON.parse(readFileSync(path.join(parserData, 'extra-cases.json'), 'utf8'));

describe('testfiles: the dump equals result byte for byte', () => {
  const dir = path.join(parserData, 'testfiles');
  const cases = readdirSync(dir).sort();
  it('has the 33 upstream cases', () => expect(cases).toHaveLength(33));
  it.each(cases)('%s', (name) => {
    const { ast, diagnostics } = parse(readBytes(path.join(dir, name, 'Dockerfile')));
    expect(errors(diagnostics)).toEqual([]);
    expect(toBuildKitDump(ast)).toBe(readFileSync(path.join(dir, name, 'result'), 'utf8'));
  });
});

describe('testfiles-negative: every file is rejected', () => {
  const expected: Record<string, string> = {
    empty_dockerfile: 'file with no instructions',
    only_comments: 'file with no instructions',
    env_no_value: 'ENV must have two arguments',
    'shykes-nested-json': 'when using JSON array syntax, arrays must be comprised of strings only',
  };
  const dir = path.join(parserData, 'testfiles-negative');
  it.each(readdirSync(dir).sort())('%s', (name) => {
    const { diagnostics } = parse(readBytes(path.join(dir, name, 'Dockerfile')));
    expect(errors(diagnostics)).toEqual([expected[name]]);
  });
});

interface ExpectedInstruction {
  instruction: string;
  startLine: number;
  endLine: number;
  dump: string;
  heredocs: { name: string; fileDescriptor: number; expand: boolean; chomp: boolean; content: string }[];
}

function checkInstructions(dockerfile: string, expected: ExpectedInstruction[]) {
  const { ast } = parse(dockerfile);
  expect(
    ast.instructions.map((i) => ({
      instruction: i.original,
      startLine: i.range.start.line,
      endLine: i.range.end.line,
      dump: dumpInstruction(i),
      heredocs: i.heredocs.map((h) => ({
        name: h.name,
        fileDescriptor: h.fileDescriptor ?? 0,
        expand: h.expand,
        chomp: h.chomp,
        content: h.content,
      })),
    })),
  ).toEqual(expected);
}

describe('extra-cases.json', () => {
  it('lineNumbers', () => {
    const c = extra.lineNumbers;
    const { ast } = parse(readBytes(path.join(parserData, c.file)));
    expect({ startLine: ast.range.start.line, endLine: ast.range.end.line }).toEqual(c.root);
    expect(ast.instructions.map((i) => ({ startLine: i.range.start.line, endLine: i.range.end.line }))).toEqual(
      c.children,
    );
  });

  it('emptyContinuationWarnings', () => {
    const c = extra.emptyContinuationWarnings;
    checkInstructions(c.dockerfile, c.instructions);
    const { diagnostics } = parse(c.dockerfile);
    expect(diagnostics.map((d) => [d.severity, d.code, d.message])).toEqual(
      c.warnings.map((w: string) => ['warning', 'empty-continuation', w]),
    );
  });

  it('scannerLimit', () => {
    const text = `\n\t\tFROM image\n\t\tLABEL test=${'a'.repeat(65536)}\n`;
    expect(errors(parse(text).diagnostics)).toEqual([extra.scannerLimit.error]);
    // One byte less is accepted (the limit counts bytes, not characters: é is two).
    expect(errors(parse(`FROM image\nLABEL a=${'a'.repeat(65535 - 8)}\n`).diagnostics)).toEqual([]);
    expect(errors(parse(`FROM image\nLABEL a=${'é'.repeat(32764)}\n`).diagnostics)).toEqual([extra.scannerLimit.error]);
  });

  it('heredocExtraction', () => {
    const c = extra.heredocExtraction;
    checkInstructions(c.dockerfile, c.instructions);
    expect(parse(c.dockerfile).diagnostics).toEqual([]);
  });

  it('heredocJSONForm', () => {
    const c = extra.heredocJSONForm;
    checkInstructions(c.dockerfile, c.instructions);
  });

  it('heredocChomp', () => {
    expect(chompHeredocContent(extra.heredocChomp.input)).toBe(extra.heredocChomp.output);
  });

  it('parseHeredocWord', () => {
    for (const c of extra.parseHeredocWord.cases) {
      const r = parseHeredocWord(c.input);
      const got =
        r.kind === 'heredoc'
          ? { input: c.input, result: 'heredoc', name: r.name, expand: r.expand, chomp: r.chomp }
          : { input: c.input, result: r.kind === 'none' ? 'not-a-heredoc' : 'error' };
      const want =
        c.result === 'heredoc'
          ? { input: c.input, result: 'heredoc', name: c.name, expand: c.expand ?? false, chomp: c.chomp ?? false }
          : { input: c.input, result: c.result };
      expect(got).toEqual(want);
    }
  });

  it('heredocsFromLine', () => {
    for (const c of extra.heredocsFromLine.cases) {
      const r = heredocsFromLine(c.line, 0, c.line.length);
      expect({ line: c.line, names: r.ok ? r.heredocs.map((h) => h.name) : 'error' }).toEqual({
        line: c.line,
        names: c.heredocNames,
      });
    }
  });

  it('parseWords', () => {
    for (const c of extra.parseWords.cases) {
      expect(parseWords(c.input, 0, c.input.length, 0x5c).map((w) => w.value)).toEqual(c.words);
    }
  });

  it('jsonArrays', () => {
    for (const c of extra.jsonArrays.cases) {
      const { ast, diagnostics } = parse(`CMD ${c.input}`);
      if (c.error) {
        expect(errors(diagnostics)).toEqual([c.error]);
      } else {
        expect(errors(diagnostics)).toEqual([]);
        const cmd = ast.instructions[0];
        expect(cmd.kind === 'cmd' && cmd.form).toBe('exec');
        expect(cmd.args.map((a) => a.value)).toEqual(c.values);
      }
    }
  });

  it('nameValue', () => {
    for (const c of extra.nameValue.cases) {
      const { ast, diagnostics } = parse(`${c.instruction} ${c.args}`);
      if (c.error) {
        expect(errors(diagnostics)).toEqual([c.error]);
      } else {
        expect(errors(diagnostics)).toEqual([]);
        expect(ast.instructions[0].args.map((a) => a.value)).toEqual(c.nodes);
      }
    }
  });
});
