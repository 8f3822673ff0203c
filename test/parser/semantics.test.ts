// BuildKit's line-level rules (FORMAT.md §2–§11) pinned with small inputs and exact dumps.
import { describe, expect, it } from 'vitest';
import { parse, toBuildKitDump } from '../../parser/index.js';
import { errors } from './helpers.js';

function dump(input: string | Uint8Array): string {
  const { ast, diagnostics } = parse(input);
  expect(errors(diagnostics)).toEqual([]);
  return toBuildKitDump(ast).trimEnd();
}

function bytes(...parts: (string | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) out.push(...(typeof p === 'string' ? new TextEncoder().encode(p) : p));
  return new Uint8Array(out);
}

describe('argument rules per instruction', () => {
  it.each([
    ['FROM x AS Build', '(from "x" "AS" "Build")'],
    ['COPY "a b" c', '(copy "\\"a" "b\\"" "c")'],
    ['RUN echo  hi', '(run "echo  hi")'],
    ['CMD []', '(cmd)'],
    ['HEALTHCHECK CMD ["foo"]', '(healthcheck "CMD" "foo")'],
    ['HEALTHCHECK CMD', '(healthcheck "CMD")'],
    ['HEALTHCHECK CONNECT TCP 7000', '(healthcheck "CONNECT" "TCP 7000")'],
    ['ENV a=b c=d', '(env "a" "b" "=" "c" "d" "=")'],
    ['ENV a b c', '(env "a" "b c" "")'],
    ['ARG abc="123 456" def', '(arg "abc=\\"123 456\\"" "def")'],
    ['MAINTAINER  a  b  ', '(maintainer "a  b")'],
    ['ONBUILD RUN echo test', '(onbuild (run "echo test"))'],
    ['FOO bar baz', '(foo "")'],
    ['foo --x=1 bar', '(foo ["--x=1"] "")'],
    ['FOO', '(foo "")'],
    ['ENV', '(env)'],
    ['LABEL "com.x"="y z"', '(label "\\"com.x\\"" "\\"y z\\"" "=")'],
    ['ONBUILD', '(onbuild)'],
    ['FrOm  x', '(from "x")'],
    ['VOLUME ["/a", "/b"]', '(volume "/a" "/b")'],
    ['SHELL ["/bin/sh", "-c"]', '(shell "/bin/sh" "-c")'],
  ])('%s', (line, expected) => {
    expect(dump(`${line}\n`)).toBe(expected);
  });
});

describe('flags', () => {
  it.each([
    ['COPY --chown="a b" x y', '(copy ["--chown=a b"] "x" "y")'],
    ['COPY --user=me --doit=true foo /tmp/', '(copy ["--user=me" "--doit=true"] "foo" "/tmp/")'],
    ['CMD --doit -- [ ]', '(cmd ["--doit"])'],
    ['COPY -- foo /tmp/', '(copy "foo" "/tmp/")'],
    ['RUN -- --x', '(run "--x")'],
    ['RUN --a=b\\ c x', '(run ["--a=b c"] "x")'],
    ['ONBUILD COPY --from=a b c', '(onbuild (copy ["--from=a"] "b" "c"))'],
    ['ONBUILD --foo RUN x', '(onbuild ["--foo"] (run "x"))'],
    ['ONBUILD ONBUILD RUN x', '(onbuild (onbuild (run "x")))'],
    ['COPY --chown=à a b', '(copy ["--chown=Ã"] "a" "b")'],
    ['ENV --x a=b', '(env ["--x"] "a" "b" "=")'],
    ['RUN --x', '(run ["--x"])'],
  ])('%s', (line, expected) => {
    expect(dump(`${line}\n`)).toBe(expected);
  });

  it('gives no options for a value that is not valid CSV', () => {
    // Single quotes keep the double quotes for the CSV reader: a bare quote, then an unterminated quoted field.
    expect(parse("RUN --mount='type=bind,a\"b' x\n").ast.instructions[0].flags[0].options).toEqual([]);
    expect(parse("RUN --mount='a,\"b' x\n").ast.instructions[0].flags[0].options).toEqual([]);
  });

  it('parses flag options with CSV quoting (after the flag scanner removed its own quotes)', () => {
    const { ast } = parse('RUN --mount=type=secret,\'"id=a,b"\',required x\n');
    expect(ast.instructions[0].flags[0].value).toBe('type=secret,"id=a,b",required');
    expect(ast.instructions[0].flags[0].options.map((o) => [o.key, o.value])).toEqual([
      ['type', 'secret'],
      ['id', 'a,b'],
      ['required', null],
    ]);
  });
});

describe('exec form', () => {
  it.each([
    ['RUN ["a"] x', '(run "[\\"a\\"] x")'],
    ['CMD ["a"]#c', '(cmd "[\\"a\\"]#c")'],
    ['RUN ["a",]', '(run "[\\"a\\",]")'],
    ["CMD ['a']", '(cmd "[\'a\']")'],
    ['CMD ["a", "b"', '(cmd "[\\"a\\", \\"b\\"")'],
    ['CMD ["\\u0000", "\\b\\f\\t"]', '(cmd "\\x00" "\\b\\f\\t")'],
    ['CMD ["\\ud800"]', '(cmd "\ufffd")'],
    ['CMD ["a", 1e999]', '(cmd "[\\"a\\", 1e999]")'],
    ['COPY ["a", "b"] ', '(copy "a" "b")'],
  ])('%s', (line, expected) => {
    expect(dump(`${line}\n`)).toBe(expected);
  });

  it("nesting deeper than Go's limit of 10,000 is invalid JSON (shell form), not an error", () => {
    const nested = (depth: number) => `CMD ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    expect(errors(parse(nested(10000)).diagnostics)).toEqual([
      'when using JSON array syntax, arrays must be comprised of strings only',
    ]);
    const { ast, diagnostics } = parse(nested(10001));
    expect(diagnostics).toEqual([]);
    expect(ast.instructions[0].kind === 'cmd' && ast.instructions[0].form).toBe('shell');
  });

  it('a non-string element is an error, not a fallback', () => {
    expect(errors(parse('CMD ["a", [1]]\n').diagnostics)).toEqual([
      'when using JSON array syntax, arrays must be comprised of strings only',
    ]);
  });
});

describe('lines, continuations, comments', () => {
  it.each([
    ['RUN a \\\\\nRUN b', '(run "a \\\\\\\\")\n(run "b")'],
    ['RUN a \\\\\\\nRUN b', '(run "a \\\\\\\\\\\\")\n(run "b")'],
    ['RUN echo hello  \\  \nworld', '(run "echo hello  world")'],
    ['RUN a \\\n# comment \\\n  b', '(run "a   b")'],
    ['RUN echo # not a comment', '(run "echo # not a comment")'],
    ['FROM a\n\\\n', '(from "a")\n("")'],
    ['RUN a \\', '(run "a")'],
    ['FROM a\r\nRUN b\r\n', '(from "a")\n(run "b")'],
    ['FROM a\rRUN b\n', '(from "a" "RUN" "b")'],
    ['FROM a\n\ufeffRUN x\n', '(from "a")\n(\ufeffrun "")'],
  ])('%j', (text, expected) => {
    expect(dump(text)).toBe(expected);
  });

  it('escape directive: backtick', () => {
    expect(dump('# escape=`\nRUN a `\n  b\nRUN c \\\n')).toBe('(run "a   b")\n(run "c \\\\")');
  });

  it('directive rules', () => {
    const p = parse('# Escape = ` \n#syntax=x\n# check=skip=all\n\n# escape=\\\nFROM a\n');
    expect(p.ast.directives.map((d) => [d.name, d.value])).toEqual([
      ['escape', '`'],
      ['syntax', 'x'],
      ['check', 'skip=all'],
    ]);
    expect(p.ast.escapeChar).toBe('`');
    expect(p.ast.comments.map((c) => c.text)).toEqual([' escape=\\']);
    expect(errors(parse('# escape=x\nFROM a\n').diagnostics)).toEqual([
      "invalid escape token 'x' does not match ` or \\",
    ]);
    expect(errors(parse('# escape=\\\n# escape=`\nFROM a\n').diagnostics)).toEqual([
      'only one escape parser directive can be used',
    ]);
    expect(parse('#!/bin/sh\n# escape=`\nFROM a\n').ast.escapeChar).toBe('\\');
    expect(parse('# foo=bar\n# escape=`\nFROM a\n').ast.escapeChar).toBe('\\');
  });

  it('invalid UTF-8 survives into the dump as \\xNN', () => {
    expect(dump(bytes('RUN echo ', [0xff, 0xc3], ' ', [0xe2, 0x82], '\n'))).toBe('(run "echo \\xff\\xc3 \\xe2\\x82")');
    expect(dump(bytes('ENV a=', [0xff], '\n'))).toBe('(env "a" "\ufffd" "=")');
    expect(dump(bytes('ENV a ', [0xff], '\n'))).toBe('(env "a" "\\xff" "")');
  });

  it("invalid sequences decode one byte at a time, as Go's utf8.DecodeRune does", () => {
    // A UTF-8-encoded surrogate, an overlong NUL, a byte that never starts a sequence, a truncated emoji.
    expect(dump(bytes('RUN ', [0xed, 0xa0, 0x80], [0xc0, 0x80], [0xf5], [0xf0, 0x9f, 0x98], '😀\n'))).toBe(
      '(run "\\xed\\xa0\\x80\\xc0\\x80\\xf5\\xf0\\x9f\\x98😀")',
    );
  });

  it('HEALTHCHECK splits its first word byte-wise (0xA0 counts as a space)', () => {
    expect(dump('HEALTHCHECK CMD\u00a0x\n')).toBe('(healthcheck "CMD\\xc2" "x")');
    expect(dump('HEALTHCHECK à\n')).toBe('(healthcheck "\\xc3")');
  });

  it('the escape directive applies to ENV/LABEL/ARG words but flags always use a backslash', () => {
    expect(errors(parse('# escape=`\nENV a=b\\ c\n').diagnostics)).toEqual([
      'Syntax error - can\'t find = in "c". Must be of the form: name=value',
    ]);
    expect(dump('# escape=`\nENV a=b` c\n')).toBe('(env "a" "b` c" "=")');
    expect(dump('# escape=`\nCOPY --chown=a\\ b` x y\n')).toBe('(copy ["--chown=a b`"] "x" "y")');
  });

  it("Go's strconv.Quote rules", () => {
    expect(dump("RUN a\u00a0b\u00ad\u2028\x07\x0b\x1b\x7f\u{e0001}é😀'\n")).toBe(
      '(run "a\\u00a0b\\u00ad\\u2028\\a\\v\\x1b\\x7f\\U000e0001é😀\'")',
    );
  });
});

describe('heredocs', () => {
  it('unterminated heredoc is an error', () => {
    expect(errors(parse('FROM a\nRUN <<EOF\nx\n').diagnostics)).toEqual(['unterminated heredoc']);
  });

  it('USER does not take heredocs; a lexing error on the line means no heredoc', () => {
    expect(dump('FROM a\nUSER <<X\nX\n')).toBe('(from "a")\n(user "<<X")\n(x "")');
    expect(dump('FROM a\nRUN <<EOF "\nEOF\n')).toBe('(from "a")\n(run "<<EOF \\"")\n(eof "")');
  });

  it('CRLF bodies keep their line ends', () => {
    const { ast } = parse('FROM a\r\nRUN <<EOF\r\nx\r\nEOF\r\n');
    expect(ast.instructions[1].heredocs[0].content).toBe('x\r\n');
  });
});

describe('errors and recovery', () => {
  it('reports every broken instruction and keeps parsing', () => {
    const text = 'FROM a\nENV x\nRUN b\nCMD [1]\nLABEL c\nENV a=b c\nRUN <<EOF\nx\n';
    const { ast, diagnostics } = parse(text);
    expect(diagnostics.map((d) => [d.code, d.message, d.range.start.line])).toEqual([
      ['env-no-value', 'ENV must have two arguments', 2],
      ['json-not-strings', 'when using JSON array syntax, arrays must be comprised of strings only', 4],
      ['label-no-value', 'LABEL must have two arguments', 5],
      ['missing-equals', 'Syntax error - can\'t find = in "c". Must be of the form: name=value', 6],
      ['unterminated-heredoc', 'unterminated heredoc', 7],
    ]);
    expect(ast.instructions.map((i) => i.kind)).toEqual(['from', 'env', 'run', 'cmd', 'label', 'env', 'run']);
  });

  it('an over-long line is an error and the next lines still parse', () => {
    const { ast, diagnostics } = parse(`FROM a\nRUN ${'x'.repeat(70000)}\nUSER me\n`);
    expect(errors(diagnostics)).toEqual(['dockerfile line greater than max allowed size of 65535']);
    expect(ast.instructions.map((i) => i.kind)).toEqual(['from', 'run', 'user']);
  });

  it('no instructions', () => {
    expect(errors(parse('').diagnostics)).toEqual(['file with no instructions']);
    expect(errors(parse('# a\n\n  # b\n').diagnostics)).toEqual(['file with no instructions']);
    expect(parse('# a\n').ast.comments.map((c) => c.text)).toEqual([' a']);
  });
});
