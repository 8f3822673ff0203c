// Robustness: random and mutated inputs never break the parser; time stays linear in the input size.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ParseResult, parse, toBuildKitDump } from '../../parser/index.js';
import { corpusDir, prng } from './helpers.js';

function survives(input: string | Uint8Array): ParseResult {
  const result = parse(input);
  expect(result.diagnostics.filter((d) => d.code === 'internal-error')).toEqual([]);
  expect(typeof toBuildKitDump(result.ast)).toBe('string');
  return result;
}

const pieces = [
  '\n',
  '\r\n',
  '\\',
  '`',
  '"',
  "'",
  '<<',
  '<<-',
  'EOF',
  '[',
  ']',
  '{',
  '}',
  '$',
  '${',
  '--',
  '=',
  '#',
  ' ',
  '\t',
  'RUN ',
  'FROM ',
  'ONBUILD ',
  'ENV ',
  'COPY ',
  'HEALTHCHECK ',
  'ARG ',
  'LABEL ',
  '# escape=`\n',
  ',',
  ':',
  '\0',
  '\u00a0',
  'é',
];

function corpusSample(count: number): Uint8Array[] {
  const dir = path.join(corpusDir, 'dockerfiles');
  const files: string[] = [];
  for (const repo of readdirSync(dir).sort())
    for (const f of readdirSync(path.join(dir, repo)).sort()) files.push(path.join(dir, repo, f));
  const step = Math.max(1, Math.floor(files.length / count));
  return files.filter((_, i) => i % step === 0).map((f) => new Uint8Array(readFileSync(f)));
}

describe('never throws', () => {
  it('random bytes', () => {
    const rand = prng(1);
    for (let n = 0; n < 300; n++) {
      const bytes = new Uint8Array(Math.floor(rand() * 3000));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256);
      survives(bytes);
    }
  });

  it('random Dockerfile-like token soup', () => {
    const rand = prng(2);
    for (let n = 0; n < 500; n++) {
      let text = '';
      const len = Math.floor(rand() * 200);
      for (let i = 0; i < len; i++) text += pieces[Math.floor(rand() * pieces.length)];
      survives(text);
    }
  });

  it('mutated corpus files', () => {
    const rand = prng(3);
    for (const original of corpusSample(150)) {
      for (let round = 0; round < 3; round++) {
        const bytes = Array.from(original);
        const edits = 1 + Math.floor(rand() * 20);
        for (let e = 0; e < edits && bytes.length > 0; e++) {
          const at = Math.floor(rand() * bytes.length);
          const op = rand();
          const piece = Array.from(new TextEncoder().encode(pieces[Math.floor(rand() * pieces.length)]));
          if (op < 0.4) bytes.splice(at, 0, ...piece);
          else if (op < 0.7) bytes.splice(at, 1 + Math.floor(rand() * 10));
          else bytes[at] = Math.floor(rand() * 256);
        }
        survives(new Uint8Array(bytes));
      }
    }
  });

  it('adversarial shapes', () => {
    const deep = 100_000;
    survives(`FROM a\n${'ONBUILD '.repeat(deep)}RUN x\n`);
    survives(`FROM a\nCMD ${'['.repeat(deep)}${']'.repeat(deep)}\n`);
    survives(`FROM a\nCMD [${'['.repeat(9000)}${']'.repeat(9000)}]\n`);
    survives(`FROM a\nRUN <<EOF ${'${a:-'.repeat(deep)}\nEOF\n`);
    survives(`FROM a\nRUN ${'"'.repeat(deep)}<<EOF\n`);
    survives(`FROM a\nRUN --${'x'.repeat(deep)}="${'\\'.repeat(deep)}\n`);
    survives(`${'\\\n'.repeat(deep)}`);
    survives(`FROM a\nRUN a\\\n${'\n'.repeat(deep)}`);
    survives(`FROM a\n${'RUN <<A <<B <<C\n'.repeat(1000)}`);
    survives(`FROM a\n${'\0'.repeat(deep)}`);
    survives(`FROM a\nENV ${'a=b '.repeat(deep)}\n`);
    survives(`FROM a\nLABEL ${'"'.repeat(deep)}\n`);
    // Shapes that would be quadratic with a naive lexer: re-scanning escaped quotes, re-reading a growing word.
    survives(`FROM a\nCMD ["${'\\"'.repeat(deep)}\n`);
    survives(`FROM a\nRUN <<EOF${'x'.repeat(deep)}\nx\n`);
    survives(`FROM a\nRUN <<EOF "${'$'.concat('{a}').repeat(deep)}\n`);
    survives(`FROM a\nHEALTHCHECK ${'\u00e0'.repeat(deep)}\n`);
  });

  it('deep ONBUILD nesting dumps exactly', () => {
    const { ast } = survives(`${'ONBUILD '.repeat(3)}RUN x\n`);
    expect(toBuildKitDump(ast)).toBe('(onbuild (onbuild (onbuild (run "x"))))\n');
  });
});

describe('linear time', () => {
  const chunk = corpusSample(60)
    .map((b) => new TextDecoder().decode(b))
    .join('\n');

  /** Best of three runs after a warm-up, so a load spike on a shared machine does not decide the result. */
  function msPerMB(text: string): number {
    parse(text);
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      parse(text);
      best = Math.min(best, performance.now() - start);
    }
    return best / (text.length / 1e6);
  }

  function sized(bytes: number): string {
    return chunk.repeat(Math.ceil(bytes / chunk.length)).slice(0, bytes);
  }

  it('10 MB costs about as much per MB as 100 KB', () => {
    const small = msPerMB(sized(100_000));
    const big = msPerMB(sized(10_000_000));
    // Generous: a quadratic parser would be ~100× slower per MB on the big input.
    expect(big).toBeLessThan(Math.max(small, 10) * 10);
  });

  it('a 65,536-character line, a 10 MB single line and dense 1 MB lines finish fast', () => {
    // Wall-clock limits are loose on purpose: CI machines are shared; a hang or a quadratic blow-up is what fails.
    const start = performance.now();
    survives(`FROM a\nRUN ${'a '.repeat(32768)}\n`);
    survives(`FROM a\nRUN ${'a '.repeat(5_000_000)}\n`);
    survives(`FROM a\nRUN --mount=${'a,'.repeat(500_000)} x\n`);
    survives(`FROM a\nCMD [${'"a",'.repeat(250_000)}"b"]\n`);
    survives(`FROM a\nCOPY ${'<<A '.repeat(20_000)}x\n${'A\n'.repeat(20_000)}`);
    expect(performance.now() - start).toBeLessThan(30_000);
  });
});
