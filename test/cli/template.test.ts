// cli/template: Go's text/template as docker's --format uses it, outputs and errors as Go prints them.
import { describe, expect, it } from 'vitest';
import { GoMap, GoNil, GoStruct, headerFunctions, parseTemplate, type Value } from '../../cli/template/index.js';

const run = (source: string, data: Value = {}, missingKeyError = false) =>
  parseTemplate(source).execute(data, { missingKeyError });
const error = (source: string, data: Value = {}, missingKeyError = false): string => {
  try {
    return `no error: ${run(source, data, missingKeyError)}`;
  } catch (e) {
    return (e as Error).message;
  }
};

describe('template actions', () => {
  it('reads fields, nested fields, dot and variables', () => {
    const data = { Id: 'sha256:abc', Config: { Env: ['A=1', 'B=2'], WorkingDir: '/app' } };
    expect(run('{{.Id}} {{.Config.WorkingDir}} {{.Config.Env}}', data)).toBe('sha256:abc /app [A=1 B=2]');
    expect(run('{{with .Config}}{{.WorkingDir}}{{end}}', data)).toBe('/app');
    expect(run('{{$c := .Config}}{{$c.WorkingDir}} {{$.Id}}', data)).toBe('/app sha256:abc');
    expect(run('{{.}}', 'x')).toBe('x');
  });

  it('ranges over slices, maps (sorted keys) and integers, with break, continue and else', () => {
    expect(run('{{range .}}[{{.}}]{{end}}', ['a', 'b'])).toBe('[a][b]');
    expect(run('{{range $i, $e := .}}{{$i}}={{$e}} {{end}}', ['a', 'b'])).toBe('0=a 1=b ');
    expect(run('{{range $k, $v := .}}{{$k}}:{{$v}},{{end}}', { b: '2', a: '1' })).toBe('a:1,b:2,');
    expect(run('{{range 3}}{{.}}{{end}}')).toBe('012');
    expect(
      run('{{range .}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}', [1, 2, 3, 4, 5]),
    ).toBe('13');
    expect(run('{{range .X}}x{{else}}empty{{end}}', { X: [] })).toBe('empty');
    expect(run('{{range .Missing}}x{{else}}none{{end}}')).toBe('none');
  });

  it('chooses with if / else if / else and with / else', () => {
    const t = '{{if eq .Os "linux"}}L{{else if eq .Os "windows"}}W{{else}}?{{end}}';
    expect([run(t, { Os: 'linux' }), run(t, { Os: 'windows' }), run(t, { Os: 'plan9' })]).toEqual(['L', 'W', '?']);
    expect(run('{{with .Labels}}has{{else}}none{{end}}', { Labels: {} })).toBe('none');
    expect(run('{{if and .A (not .B)}}yes{{end}} {{or .B "dflt"}}', { A: 1, B: '' })).toBe('yes dflt');
  });

  it('pipes values into the last argument, and parenthesised pipelines', () => {
    expect(run('{{.Name | printf "%s!" | upper}}', { Name: 'app' })).toBe('APP!');
    expect(run('{{(index .Tags 1) | lower}}', { Tags: ['A', 'B'] })).toBe('b');
    expect(run('{{len (split .Id ":")}}', { Id: 'sha256:abc' })).toBe('2');
  });

  it('trims spaces at {{- and -}}, skips comments, keeps literals', () => {
    expect(run('a  \n {{- .X -}} \n  b', { X: 1 })).toBe('a1b');
    expect(run('a{{/* a comment */}}b{{- /* trimmed */ -}} c')).toBe('abc');
    expect(run('{{"quoted\\t"}}{{`raw\\t`}}{{3}}{{-2}}{{1.5}}{{true}}{{\'a\'}}')).toBe('quoted\traw\\t3-21.5true97');
  });

  it('prints a missing map key as <no value>, and fails on it with missingkey=error', () => {
    expect(run('{{.Config.Labels.foo}}', { Config: { Labels: {} } })).toBe('<no value>');
    expect(run('{{.Missing.Deeper}}')).toBe('<no value>');
    expect(run('{{index .L "x"}}', { L: {} })).toBe('<no value>');
    expect(error('{{.Foo}}', {}, true)).toBe('template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"');
    expect(error('{{.A.B}}', { A: {} }, true)).toBe(
      'template: :1:4: executing "" at <.A.B>: map has no entry for key "B"',
    );
    expect(error('{{.A.B}}', { A: null })).toBe(
      'template: :1:4: executing "" at <.A.B>: nil pointer evaluating interface {}.B',
    );
  });

  it('tells struct fields from typed map keys', () => {
    const labels = new GoMap('map[string]string', { a: '1' }, '');
    const data = new GoStruct(
      'image.InspectResponse',
      { ID: 'x', Labels: labels, Health: new GoNil('*v1.HealthcheckConfig') },
      {},
    );
    expect(run('{{.ID}} {{.Labels.a}} {{.Labels.b}} [{{index .Labels "b"}}] {{.Health}}', data)).toBe(
      'x 1 <no value> [] <nil>',
    );
    expect(error('{{.Id}}', data)).toBe(
      'template: :1:2: executing "" at <.Id>: can\'t evaluate field Id in type image.InspectResponse',
    );
    expect(error('{{.Health.Test}}', data)).toBe(
      'template: :1:9: executing "" at <.Health.Test>: nil pointer evaluating *v1.HealthcheckConfig.Test',
    );
  });
});

describe('template functions', () => {
  it("has docker's functions", () => {
    const data = { Tags: ['a:1', 'b:2'], Id: 'sha256:0123456789', Obj: { b: '<&>', a: [1, 2] } };
    expect(
      run('{{join .Tags ", "}}|{{split .Id ":"}}|{{title "hello big-world"}}|{{upper "a"}}{{lower "B"}}', data),
    ).toBe('a:1, b:2|[sha256 0123456789]|Hello Big-World|Ab');
    expect(run('[{{pad "x" 1 2}}][{{pad "" 1 2}}][{{truncate .Id 6}}][{{truncate "ab" 5}}]', data)).toBe(
      '[ x  ][][sha256][ab]',
    );
    // docker's json function does not escape <, > and &; map keys are sorted.
    expect(run('{{json .Obj}} {{json .Tags}} {{json .Missing}}', data)).toBe(
      '{"a":[1,2],"b":"<&>"} ["a:1","b:2"] null',
    );
  });

  it("has Go's builtins", () => {
    const data = { L: ['x', 'y', 'z'], M: { k: 'v' }, N: 3, S: 'héllo' };
    expect(
      run('{{len .L}} {{len .M}} {{len .S}} {{index .L 2}} {{index .M "k"}} {{slice .L 1 2}} {{slice "abcd" 1}}', data),
    ).toBe('3 1 6 z v [y] bcd');
    expect(
      run('{{eq .N 3}} {{ne .N 3}} {{lt .N 4}} {{le .N 3}} {{gt .N 3}} {{ge .N 3}} {{eq "a" "b" "a"}}', data),
    ).toBe('true false true true false true true');
    expect(
      run('{{print 1 2 "a" "b" 3}}|{{println "a" 1}}|{{html "<a href=\'x\'>"}}|{{js "a\'b<"}}|{{urlquery "a b&c"}}'),
    ).toBe("1 2ab3|a 1\n|&lt;a href=&#39;x&#39;&gt;|a\\'b\\u003C|a+b%26c");
  });

  it('formats with printf as fmt.Sprintf does', () => {
    expect(
      run('{{printf "%5.2f|%-4s|%04d|%q|%v|%x|%t|%8.3s|%+d" 3.14159 "ab" 42 "hi" .L 255 true "abcdef" 5}}', {
        L: [1, 'x'],
      }),
    ).toBe(' 3.14|ab  |0042|"hi"|[1 x]|ff|true|     abc|+5');
    expect(run('{{printf "%d %s" "x"}}|{{printf "%s" "a" 1}}|{{printf "%%"}}')).toBe(
      '%!d(string=x) %!s(MISSING)|a%!(EXTRA int=1)|%',
    );
    expect(run('{{printf "%v %v %v %v %g" .M 1e21 0.000001 123456.5 1234567.5}}', { M: { b: 2, a: [1] } })).toBe(
      'map[a:[1] b:2] 1e+21 1e-06 123456.5 1.2345675e+06',
    );
  });
});

describe('template errors', () => {
  it('reports parse errors as Go does', () => {
    expect(error('{{.Foo}')).toBe("template: :1: bad character U+007D '}'");
    expect(error('{{foo .}}')).toBe('template: :1: function "foo" not defined');
    expect(error('{{if .X}}x')).toBe('template: :1: unexpected EOF');
    expect(error('a\n{{end}}')).toBe('template: :2: unexpected {{end}}');
    expect(error('{{.X')).toBe('template: :1: unclosed action');
    expect(error('{{}}')).toBe('template: :1: missing value for command');
    expect(error('{{$x}}')).toBe('template: :1: undefined variable "$x"');
    expect(error('{{.X | "a"}}')).toBe('template: :1: non executable command in pipeline stage 2');
    expect(error('{{break}}')).toBe('template: :1: {{break}} outside {{range}}');
    expect(error('{{"abc}}')).toBe('template: :1: unterminated quoted string');
    expect(error('{{.X @}}')).toBe('template: :1: unexpected "@" in operand');
  });

  it('reports execution errors with the line, column and node', () => {
    expect(error('{{.A.B}}', { A: 'x' })).toBe(
      'template: :1:4: executing "" at <.A.B>: can\'t evaluate field B in type string',
    );
    expect(error('x\n {{index .L 5}}', { L: [] })).toBe(
      'template: :2:3: executing "" at <index .L 5>: error calling index: index out of range: 5',
    );
    expect(error('{{join .L}}', { L: [] })).toBe(
      'template: :1:2: executing "" at <join>: wrong number of args for join: want 2 got 1',
    );
    expect(error('{{lower .N}}', { N: 1 })).toBe(
      'template: :1:8: executing "" at <.N>: wrong type for value; expected string; got int',
    );
    expect(error('{{eq .N "1"}}', { N: 1 })).toBe(
      'template: :1:2: executing "" at <eq .N "1">: error calling eq: incompatible types for comparison',
    );
    expect(error('{{"x" 1}}')).toBe('template: :1:2: executing "" at <"x">: can\'t give argument to non-function "x"');
  });

  it('leaves header names as they are with the header functions', () => {
    const header = new GoMap('formatter.SubHeaderContext', { Repository: 'REPOSITORY' }, '');
    const t = parseTemplate('{{lower .Repository}} {{truncate .Repository 3}} {{pad .Repository 1 1}}');
    expect(t.execute(header, { funcs: headerFunctions })).toBe('REPOSITORY REPOSITORY  REPOSITORY ');
  });
});
