// The functions a template can call: text/template's builtins and docker's (templates/templates.go: json, split,
// join, title, lower, upper, pad, truncate), with the argument types Go checks, and docker's HeaderFunctions,
// which leave a table's header names as they are.
import { sprint, sprintf, sprintln } from './printf.js';
import { formatValue, GoMap, GoNil, isPlainMap, isTrue, toJson, typeName, type Value } from './values.js';

/** A Go parameter type: a string, an int, a []string, an interface{}, or a reflect.Value (which may be no value). */
export type ParamType = 'string' | 'int' | 'strings' | 'any' | 'value';

export interface GoFunc {
  readonly params: readonly ParamType[];
  readonly variadic?: ParamType;
  /** Returns the result; a thrown Error is the function's error result. */
  call(args: readonly Value[]): Value;
}

type Kind = 'bool' | 'int' | 'float' | 'string' | 'invalid' | 'other';

function kindOf(value: Value): Kind {
  if (value === undefined || value === null) return 'invalid';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'string';
  return 'other';
}

function eq(first: Value, ...others: Value[]): boolean {
  if (others.length === 0) throw new Error('missing argument for comparison');
  const k1 = kindOf(first);
  for (const other of others) {
    const k2 = kindOf(other);
    if (k1 !== k2) {
      if (k1 !== 'invalid' && k2 !== 'invalid') throw new Error('incompatible types for comparison');
      continue;
    }
    if (k1 === 'other') throw new Error(`non-comparable type ${formatValue(other)}: ${typeName(other)}`);
    if (first === other || k1 === 'invalid') return true;
  }
  return false;
}

function lt(a: Value, b: Value): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (!['int', 'float', 'string'].includes(ka) || !['int', 'float', 'string'].includes(kb)) {
    throw new Error('invalid type for comparison');
  }
  if (ka !== kb) throw new Error('incompatible types for comparison');
  return (a as number | string) < (b as number | string);
}

function length(item: Value): number {
  if (item === undefined || item === null || item instanceof GoNil) throw new Error('len of nil pointer');
  if (typeof item === 'string') return Buffer.byteLength(item);
  if (Array.isArray(item)) return item.length;
  if (item instanceof GoMap) return Object.keys(item.entries).length;
  if (isPlainMap(item)) return Object.keys(item).length;
  throw new Error(`len of type ${typeName(item)}`);
}

function index(item: Value, ...indexes: Value[]): Value {
  let value = item;
  for (const key of indexes) {
    if (value === undefined || value === null) throw new Error('index of untyped nil');
    if (value instanceof GoNil) throw new Error('index of nil pointer');
    if (Array.isArray(value) || typeof value === 'string') {
      if (typeof key !== 'number' || !Number.isInteger(key)) {
        throw new Error(`cannot index slice/array with type ${typeName(key)}`);
      }
      const size = typeof value === 'string' ? Buffer.byteLength(value) : value.length;
      if (key < 0 || key >= size) throw new Error(`index out of range: ${key}`);
      value = typeof value === 'string' ? Buffer.from(value)[key]! : (value as readonly Value[])[key];
    } else if (value instanceof GoMap || isPlainMap(value)) {
      if (typeof key !== 'string') throw new Error(`value has type ${typeName(key)}; should be string`);
      const entries = value instanceof GoMap ? value.entries : value;
      value = Object.hasOwn(entries, key) ? entries[key] : value instanceof GoMap ? value.zero : null;
    } else throw new Error(`can't index item of type ${typeName(value)}`);
  }
  return value;
}

function slice(item: Value, ...indexes: Value[]): Value {
  if (item === undefined || item === null) throw new Error('slice of untyped nil');
  if (typeof item !== 'string' && !Array.isArray(item)) throw new Error(`can't slice item of type ${typeName(item)}`);
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  if (indexes.length === 3 && typeof item === 'string') throw new Error('cannot 3-index slice a string');
  const size = typeof item === 'string' ? Buffer.byteLength(item) : item.length;
  const bounds = [0, size];
  indexes.slice(0, 2).forEach((value, i) => {
    if (typeof value !== 'number' || !Number.isInteger(value))
      throw new Error(`cannot index slice/array with type ${typeName(value)}`);
    if (value < 0 || value > size) throw new Error(`index out of range: ${value}`);
    bounds[i] = value;
  });
  if (bounds[0]! > bounds[1]!) throw new Error(`invalid slice index: ${bounds[0]} > ${bounds[1]}`);
  if (typeof item === 'string') return Buffer.from(item).subarray(bounds[0], bounds[1]).toString();
  return item.slice(bounds[0], bounds[1]);
}

const evalArgs = (args: readonly Value[]) =>
  args.length === 1 && typeof args[0] === 'string' ? args[0] : sprint(args);

function htmlEscape(text: string): string {
  const map: Record<string, string> = {
    '"': '&#34;',
    "'": '&#39;',
    '&': '&amp;',
    '<': '&lt;',
    '>': '&gt;',
    '\0': '\uFFFD',
  };
  return text.replace(/["'&<>\0]/g, (c) => map[c]!);
}

function jsEscape(text: string): string {
  const map: Record<string, string> = {
    '\\': '\\\\',
    "'": "\\'",
    '"': '\\"',
    '<': '\\u003C',
    '>': '\\u003E',
    '&': '\\u0026',
    '=': '\\u003D',
  };
  return text.replace(
    /[\\'"<>&=\u0000-\u001f]/g,
    (c) => map[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}

function queryEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** strings.Title: the first letter of each word upper-cased. */
function title(text: string): string {
  let prev = ' ';
  let out = '';
  for (const c of text) {
    const separator = /[\p{L}\p{Nd}_]/u.test(prev) ? false : prev <= '\x7f' || /\s/u.test(prev);
    out += separator ? c.toUpperCase() : c;
    prev = c;
  }
  return out;
}

/** strings.Split: an empty separator splits into characters. */
function split(text: string, sep: string): string[] {
  return sep === '' ? [...text] : text.split(sep);
}

/** truncateWithLength: the first `length` bytes, as Go slices a string. */
function truncate(text: string, length: number): string {
  const bytes = Buffer.from(text);
  if (bytes.length < length) return text;
  if (length < 0) throw new Error(`runtime error: slice bounds out of range [:${length}]`);
  return bytes.subarray(0, length).toString();
}

const fn = (params: ParamType[], call: (args: readonly Value[]) => Value, variadic?: ParamType): GoFunc => ({
  params,
  call,
  ...(variadic !== undefined && { variadic }),
});

const builtins: [string, GoFunc][] = [
  ['and', fn(['value'], (args) => args.at(-1), 'value')],
  ['or', fn(['value'], (args) => args.at(-1), 'value')],
  ['not', fn(['value'], ([a]) => !isTrue(a))],
  ['len', fn(['value'], ([a]) => length(a))],
  ['index', fn(['value'], ([item, ...rest]) => index(item, ...rest), 'value')],
  ['slice', fn(['value'], ([item, ...rest]) => slice(item, ...rest), 'value')],
  ['print', fn([], (args) => sprint(args), 'any')],
  ['printf', fn(['string'], ([format, ...rest]) => sprintf(format as string, rest), 'any')],
  ['println', fn([], (args) => sprintln(args), 'any')],
  ['eq', fn(['value'], ([a, ...rest]) => eq(a, ...rest), 'value')],
  ['ne', fn(['value', 'value'], ([a, b]) => !eq(a, b))],
  ['lt', fn(['value', 'value'], ([a, b]) => lt(a, b))],
  ['le', fn(['value', 'value'], ([a, b]) => lt(a, b) || eq(a, b))],
  ['gt', fn(['value', 'value'], ([a, b]) => !lt(a, b) && !eq(a, b))],
  ['ge', fn(['value', 'value'], ([a, b]) => !lt(a, b))],
  ['html', fn([], (args) => htmlEscape(evalArgs(args)), 'any')],
  ['js', fn([], (args) => jsEscape(evalArgs(args)), 'any')],
  ['urlquery', fn([], (args) => queryEscape(evalArgs(args)), 'any')],
  [
    'call',
    fn(
      ['value'],
      ([f]) => {
        throw new Error(
          f === undefined || f === null ? 'call of nil' : `non-function ${formatValue(f)} of type ${typeName(f)}`,
        );
      },
      'value',
    ),
  ],
];

const docker: [string, GoFunc][] = [
  // The CLI's encoder leaves <, > and & as they are; a formatter context's own MarshalJSON does not.
  ['json', fn(['any'], ([v]) => toJson(v, false))],
  ['split', fn(['string', 'string'], ([s, sep]) => split(s as string, sep as string))],
  ['join', fn(['strings', 'string'], ([list, sep]) => ((list ?? []) as string[]).join(sep as string))],
  ['title', fn(['string'], ([s]) => title(s as string))],
  ['lower', fn(['string'], ([s]) => (s as string).toLowerCase())],
  ['upper', fn(['string'], ([s]) => (s as string).toUpperCase())],
  [
    'pad',
    fn(['string', 'int', 'int'], ([s, p, q]) =>
      s === '' ? '' : ' '.repeat(p as number) + s + ' '.repeat(q as number),
    ),
  ],
  ['truncate', fn(['string', 'int'], ([s, n]) => truncate(s as string, n as number))],
];

/** Every function a docker template may call. */
export const dockerFunctions: ReadonlyMap<string, GoFunc> = new Map([...builtins, ...docker]);

const same = ([v]: readonly Value[]) => v;

/** docker's HeaderFunctions: the functions that would change a column's name give it back unchanged. */
export const headerFunctions: ReadonlyMap<string, GoFunc> = new Map([
  ...dockerFunctions,
  ['json', fn(['string'], same)],
  ['split', fn(['string', 'string'], same)],
  ['join', fn(['string', 'string'], same)],
  ['title', fn(['string'], same)],
  ['lower', fn(['string'], same)],
  ['upper', fn(['string'], same)],
  ['truncate', fn(['string', 'int'], same)],
]);

/** Go's name of a parameter type, as argument errors print it. */
export function goType(type: ParamType): string {
  return type === 'strings' ? '[]string' : type === 'any' || type === 'value' ? 'interface {}' : type;
}

/** An argument as Go's evalArg accepts it for a parameter type; throws Go's message for a wrong one. */
export function checkArg(value: Value, type: ParamType): Value {
  if (value === undefined || value === null) {
    if (type === 'string' || type === 'int') throw new Error(`invalid value; expected ${goType(type)}`);
    return type === 'value' ? value : null;
  }
  const ok =
    type === 'any' ||
    type === 'value' ||
    (type === 'string' && typeof value === 'string') ||
    (type === 'int' && typeof value === 'number' && Number.isInteger(value)) ||
    (type === 'strings' && Array.isArray(value) && value.every((v) => typeof v === 'string'));
  if (!ok) throw new Error(`wrong type for value; expected ${goType(type)}; got ${typeName(value)}`);
  return value;
}
