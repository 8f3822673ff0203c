// Go's fmt.Sprintf, Sprint and Sprintln for template values: the verbs templates use (%v %s %d %q %x %X %o %b
// %f %F %e %E %g %G %t %c %U %%), flags `-+# 0`, width and precision (also `*`), and fmt's error forms
// (`%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA int=1)`).
import { formatFloat, formatValue, GoDuration, GoStruct, GoTime, typeName, type Value } from './values.js';

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  precision?: number;
}

const isString = (v: Value): v is string => typeof v === 'string';
const isInt = (v: Value): v is number => typeof v === 'number' && Number.isInteger(v);
const isNumber = (v: Value): v is number => typeof v === 'number';

/** Go's %q of a string (strconv.Quote: printable Unicode kept). */
export function goQuote(text: string): string {
  let out = '"';
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (c === '"' || c === '\\') out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\t') out += '\\t';
    else if (c === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return `${out}"`;
}

function pad(text: string, spec: Spec, numeric = false): string {
  const width = spec.width ?? 0;
  const length = [...text].length;
  if (length >= width) return text;
  if (spec.minus) return text + ' '.repeat(width - length);
  if (spec.zero && numeric) {
    const sign = /^[+\- ]/.test(text) ? text[0] : '';
    return sign + '0'.repeat(width - length) + text.slice(sign.length);
  }
  return ' '.repeat(width - length) + text;
}

function signed(text: string, negative: boolean, spec: Spec): string {
  if (negative) return `-${text}`;
  if (spec.plus) return `+${text}`;
  return spec.space ? ` ${text}` : text;
}

function integer(value: number, base: number, spec: Spec, upper = false): string {
  let digits = Math.abs(value).toString(base);
  if (upper) digits = digits.toUpperCase();
  if (spec.precision !== undefined) digits = digits.padStart(spec.precision, '0');
  if (spec.sharp) digits = (base === 16 ? (upper ? '0X' : '0x') : base === 8 ? '0' : base === 2 ? '0b' : '') + digits;
  return signed(digits, value < 0, spec);
}

function float(value: number, verb: string, spec: Spec): string {
  const abs = Math.abs(value);
  let text: string;
  const prec = spec.precision;
  if (verb === 'f' || verb === 'F') text = abs.toFixed(prec ?? 6);
  else if (verb === 'e' || verb === 'E') text = abs.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
  else if (prec === undefined) text = formatFloat(abs);
  else text = precisionG(abs, prec === 0 ? 1 : prec);
  if (verb === 'E' || verb === 'G') text = text.toUpperCase();
  return signed(text, value < 0 || Object.is(value, -0), spec);
}

function precisionG(abs: number, prec: number): string {
  if (abs === 0) return '0';
  const exp = Number(abs.toExponential(prec - 1).split('e')[1]);
  if (exp < -4 || exp >= prec) {
    const [mant, e] = abs.toExponential(prec - 1).split('e') as [string, string];
    const trimmed = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    return `${trimmed}e${e[0]}${e.slice(1).padStart(2, '0')}`;
  }
  const fixed = abs.toFixed(Math.max(0, prec - 1 - exp));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

const bad = (verb: string, value: Value) =>
  `%!${verb}(${typeName(value)}=${value === null || value === undefined ? '<nil>' : formatValue(value)})`;

function formatOne(verb: string, value: Value, spec: Spec): string {
  if (value === null || value === undefined)
    return verb === 'v' || verb === 's' ? pad('<nil>', spec) : `%!${verb}(<nil>)`;
  switch (verb) {
    case 'v':
      if (isNumber(value)) return pad(isInt(value) ? integer(value, 10, spec) : float(value, 'v', spec), spec, true);
      return pad(spec.sharp && isString(value) ? goQuote(value) : formatValue(value), spec);
    case 's':
      if (isString(value))
        return pad(spec.precision === undefined ? value : [...value].slice(0, spec.precision).join(''), spec);
      if (value instanceof GoTime || value instanceof GoDuration || value instanceof GoStruct || Array.isArray(value))
        return pad(formatValue(value), spec);
      return bad(verb, value);
    case 'q':
      if (isString(value)) return pad(goQuote(value), spec);
      if (isInt(value)) return pad(`'${String.fromCodePoint(value)}'`, spec);
      return bad(verb, value);
    case 'd':
    case 'b':
    case 'o':
    case 'O':
      if (!isInt(value)) return bad(verb, value);
      if (verb === 'O') return pad(signed(`0o${Math.abs(value).toString(8)}`, value < 0, spec), spec, true);
      return pad(integer(value, verb === 'd' ? 10 : verb === 'b' ? 2 : 8, spec), spec, true);
    case 'x':
    case 'X':
      if (isInt(value)) return pad(integer(value, 16, spec, verb === 'X'), spec, true);
      if (isString(value)) {
        const hex = Buffer.from(value).toString('hex');
        return pad(verb === 'X' ? hex.toUpperCase() : hex, spec);
      }
      return bad(verb, value);
    case 'c':
      return isInt(value) ? pad(String.fromCodePoint(value), spec) : bad(verb, value);
    case 'U':
      return isInt(value) ? pad(`U+${value.toString(16).toUpperCase().padStart(4, '0')}`, spec) : bad(verb, value);
    case 't':
      return typeof value === 'boolean' ? pad(String(value), spec) : bad(verb, value);
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      return isNumber(value) && !isInt(value) ? pad(float(value, verb, spec), spec, true) : bad(verb, value);
    default:
      return `%!${verb}(${typeName(value)}=${formatValue(value)})`;
  }
}

export function sprintf(format: string, args: readonly Value[]): string {
  let out = '';
  let argIndex = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };
    for (i++; i < format.length; i++) {
      const flag = format[i];
      if (flag === '-') spec.minus = true;
      else if (flag === '+') spec.plus = true;
      else if (flag === '#') spec.sharp = true;
      else if (flag === ' ') spec.space = true;
      else if (flag === '0') spec.zero = !spec.minus;
      else break;
    }
    const number = (): number | undefined => {
      if (format[i] === '*') {
        i++;
        const arg = args[argIndex++];
        return isInt(arg) ? arg : undefined;
      }
      const digits = /^\d+/.exec(format.slice(i))?.[0];
      if (digits === undefined) return undefined;
      i += digits.length;
      return Number(digits);
    };
    spec.width = number();
    if (format[i] === '.') {
      i++;
      spec.precision = number() ?? 0;
    }
    const verb = format[i];
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatOne(verb, args[argIndex++], spec);
  }
  if (argIndex < args.length) {
    const extra = args.slice(argIndex).map((v) => `${typeName(v)}=${formatValue(v)}`);
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}

/** fmt.Sprint: a space between operands when neither side is a string. */
export function sprint(args: readonly Value[]): string {
  let out = '';
  args.forEach((arg, i) => {
    if (i > 0 && !isString(arg) && !isString(args[i - 1]!)) out += ' ';
    out += formatValue(arg);
  });
  return out;
}

export function sprintln(args: readonly Value[]): string {
  return `${args.map(formatValue).join(' ')}\n`;
}
