// Exact source ranges (1-based line/column, 0-based offset, UTF-16 units; ends exclusive).
import { describe, expect, it } from 'vitest';
import type { Range } from '../../parser/index.js';
import { parse } from '../../parser/index.js';

/** `line:column(offset)-line:column(offset)` for compact exact assertions. */
function r(range: Range | null | undefined): string {
  if (!range) return 'null';
  const { start: s, end: e } = range;
  return `${s.line}:${s.column}(${s.offset})-${e.line}:${e.column}(${e.offset})`;
}

describe('ranges', () => {
  it('keyword, flag parts, arguments and stage name on one line', () => {
    const { ast } = parse('FROM --platform=linux/amd64 alpine:3 AS build\n');
    const from = ast.instructions[0];
    if (from.kind !== 'from') throw new Error('expected FROM');
    expect(r(from.range)).toBe('1:1(0)-1:46(45)');
    expect(r(from.keyword.range)).toBe('1:1(0)-1:5(4)');
    const flag = from.flags[0];
    expect([flag.name, flag.value, flag.text]).toEqual(['platform', 'linux/amd64', '--platform=linux/amd64']);
    expect([r(flag.range), r(flag.nameRange), r(flag.valueRange)]).toEqual([
      '1:6(5)-1:28(27)',
      '1:8(7)-1:16(15)',
      '1:17(16)-1:28(27)',
    ]);
    expect(r(from.image?.range)).toBe('1:29(28)-1:37(36)');
    expect([from.stageName?.value, r(from.stageName?.range)]).toEqual(['build', '1:41(40)-1:46(45)']);
  });

  it('flags and arguments inside continued lines point at their real lines', () => {
    const text =
      'FROM a\nRUN --mount=type=cache,target=/root/.cache \\\n    --network=none \\\n  apt-get update \\\n\n    && apt-get install -y "curl"\r\n';
    const { ast, diagnostics } = parse(text);
    const run = ast.instructions[1];
    expect(r(run.range)).toBe('2:1(7)-6:33(125)');
    const [mount, network] = run.flags;
    expect(mount.options.map((o) => [o.key, o.value, r(o.range)])).toEqual([
      ['type', 'cache', '2:13(19)-2:23(29)'],
      ['target', '/root/.cache', '2:24(30)-2:43(49)'],
    ]);
    expect([r(network.range), r(network.nameRange), r(network.valueRange)]).toEqual([
      '3:5(56)-3:19(70)',
      '3:7(58)-3:14(65)',
      '3:15(66)-3:19(70)',
    ]);
    expect(run.args.map((a) => [a.value, r(a.range)])).toEqual([
      ['apt-get update     && apt-get install -y "curl"', '4:3(75)-6:33(125)'],
    ]);
    expect(diagnostics.map((d) => [d.code, r(d.range)])).toEqual([['empty-continuation', '2:1(7)-6:33(125)']]);
  });

  it('an argument starting right after a seam starts on the next line; one ending at it ends on the previous', () => {
    const { ast } = parse('COPY a \\\nb c\n');
    expect(ast.instructions[0].args.map((a) => [a.value, r(a.range)])).toEqual([
      ['a', '1:6(5)-1:7(6)'],
      ['b', '2:1(9)-2:2(10)'],
      ['c', '2:3(11)-2:4(12)'],
    ]);
  });

  it('CRLF line ends', () => {
    const { ast } = parse('FROM a\r\nRUN b\r\n');
    const run = ast.instructions[1];
    expect([r(run.range), r(run.keyword.range), r(run.args[0].range)]).toEqual([
      '2:1(8)-2:6(13)',
      '2:1(8)-2:4(11)',
      '2:5(12)-2:6(13)',
    ]);
  });

  it('a UTF-8 BOM is not counted (string and bytes input)', () => {
    for (const input of [
      '\ufeffFROM a\n',
      new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('FROM a\n')]),
    ]) {
      const { ast, diagnostics } = parse(input);
      expect(diagnostics).toEqual([]);
      expect(r(ast.instructions[0].keyword.range)).toBe('1:1(0)-1:5(4)');
    }
  });

  it('heredoc word and body; ONBUILD heredocs', () => {
    const { ast } = parse('FROM a\nONBUILD RUN <<EOF\nhi\nEOF\nCOPY <<A <<-B /x\na\nA\n\tb\n\tB\n');
    const onbuild = ast.instructions[1];
    expect(r(onbuild.range)).toBe('2:1(7)-4:4(31)');
    expect(onbuild.heredocs.map((h) => [h.name, r(h.wordRange), r(h.range), h.content])).toEqual([
      ['EOF', '2:13(19)-2:18(24)', '3:1(25)-4:4(31)', 'hi\n'],
    ]);
    if (onbuild.kind !== 'onbuild' || onbuild.trigger === null) throw new Error('expected a trigger');
    expect(onbuild.trigger.kind).toBe('run');
    expect(onbuild.trigger.heredocs).toEqual(onbuild.heredocs);
    const copy = ast.instructions[2];
    expect(copy.heredocs.map((h) => [h.name, h.chomp, r(h.wordRange), r(h.range), h.content])).toEqual([
      ['A', false, '5:6(37)-5:9(40)', '6:1(49)-7:2(52)', 'a\n'],
      ['B', true, '5:10(41)-5:14(45)', '8:1(53)-9:3(58)', '\tb\n'],
    ]);
    expect(r(copy.range)).toBe('5:1(32)-9:3(58)');
  });

  it('ENV pairs, ARG names and defaults, directives and comments', () => {
    const { ast } = parse('# syntax=docker/dockerfile:1\n# hello\nARG V=1 W\nENV a=1 b="2 3"\n');
    expect(ast.directives.map((d) => [d.name, d.value, r(d.range), r(d.nameRange), r(d.valueRange)])).toEqual([
      ['syntax', 'docker/dockerfile:1', '1:1(0)-1:29(28)', '1:3(2)-1:9(8)', '1:10(9)-1:29(28)'],
    ]);
    expect(ast.comments.map((c) => [c.text, r(c.range)])).toEqual([[' hello', '2:1(29)-2:8(36)']]);
    const arg = ast.instructions[0];
    if (arg.kind !== 'arg') throw new Error('expected ARG');
    expect(arg.leadingComments.map((c) => c.text)).toEqual([' hello']);
    expect(arg.declarations.map((d) => [d.name.value, r(d.name.range), d.defaultValue?.value ?? null])).toEqual([
      ['V', '3:5(41)-3:6(42)', '1'],
      ['W', '3:9(45)-3:10(46)', null],
    ]);
    const env = ast.instructions[1];
    if (env.kind !== 'env') throw new Error('expected ENV');
    expect(env.pairs.map((p) => [p.key.value, r(p.key.range), p.value.value, r(p.value.range), p.separator])).toEqual([
      ['a', '4:5(51)-4:6(52)', '1', '4:7(53)-4:8(54)', '='],
      ['b', '4:9(55)-4:10(56)', '"2 3"', '4:11(57)-4:16(62)', '='],
    ]);
  });

  it('exec-form elements and columns in UTF-16 units', () => {
    const { ast } = parse('CMD ["é😀", "b"]\n');
    expect(ast.instructions[0].args.map((a) => [a.value, r(a.range)])).toEqual([
      ['é😀', '1:6(5)-1:11(10)'],
      ['b', '1:13(12)-1:16(15)'],
    ]);
  });
});
