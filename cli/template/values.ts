// The Go values a template sees, as JavaScript values. `undefined` is Go's invalid value (a missing map key:
// printed `<no value>`); `null` is a nil interface (JSON null). Plain objects are `map[string]interface {}` (what
// docker's inspect fallback decodes), arrays are slices, integral numbers are ints and the others float64.
// Typed Go data (docker's structs, typed maps, nil pointers, time.Time) has classes of its own, because text/template
// treats a missing struct field as an error and a missing map key as `<no value>`.

import { goDuration } from '../../image/index.js';

/** A Go struct (or pointer to one). `fields` are its Go field names, embedded structs' fields promoted. */
export class GoStruct {
  constructor(
    /** Go's name of the type, as errors print it (`*formatter.imageContext`, `image.InspectResponse`). */
    readonly type: string,
    readonly fields: Readonly<Record<string, Value>>,
    /** Its encoding/json form: the object to encode (fields in its order), or the text MarshalJSON returns. */
    readonly json: RawJson | object,
    readonly pointer = false,
  ) {}
}

/** A typed Go map: a missing key indexes to `zero` (`""` for map[string]string). A nil map encodes as null. */
export class GoMap {
  constructor(
    readonly type: string,
    readonly entries: Readonly<Record<string, Value>>,
    readonly zero: Value,
    readonly isNil = false,
  ) {}
}

/** A nil slice: prints `[]` like an empty one, but encodes as JSON null. */
export const nilSlice: readonly Value[] = Object.freeze([]);

/** A typed nil pointer (`*container.HealthConfig(nil)`): prints `<nil>`, is false, has no fields. */
export class GoNil {
  constructor(readonly type: string) {}
}

/** A time.Time: prints as Go's Time.String, encodes as RFC 3339. */
export class GoTime {
  constructor(
    readonly text: string,
    readonly rfc3339: string,
  ) {}
}

/** A time.Duration: prints as Go's Duration.String (`30s`), encodes as its nanoseconds. */
export class GoDuration {
  constructor(readonly nanoseconds: number) {}
}

/** The JSON text of a MarshalJSON method (docker's formatter contexts), encoded as it is. */
export class RawJson {
  constructor(readonly text: string) {}
}

export type Value =
  | undefined
  | null
  | string
  | number
  | boolean
  | readonly Value[]
  | GoStruct
  | GoMap
  | GoNil
  | GoTime
  | GoDuration
  | { readonly [key: string]: Value };

export function isPlainMap(value: Value): value is { readonly [key: string]: Value } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof GoStruct || value instanceof GoMap || value instanceof GoNil || value instanceof GoTime) &&
    !(value instanceof GoDuration)
  );
}

/** Go's name of a value's type, as text/template's errors print it. */
export function typeName(value: Value): string {
  if (value === undefined) return '<nil>';
  if (value === null) return 'interface {}';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value))
    return value.length > 0 && value.every((v) => typeof v === 'string') ? '[]string' : '[]interface {}';
  if (value instanceof GoStruct) return value.type;
  if (value instanceof GoMap || value instanceof GoNil) return value.type;
  if (value instanceof GoTime) return 'time.Time';
  if (value instanceof GoDuration) return 'time.Duration';
  return 'map[string]interface {}';
}

/** text/template's truth: not the zero value of its type. Structs are always true. */
export function isTrue(value: Value): boolean {
  if (value === undefined || value === null || value instanceof GoNil) return false;
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof GoMap) return Object.keys(value.entries).length > 0;
  if (value instanceof GoStruct || value instanceof GoTime) return true;
  if (value instanceof GoDuration) return value.nanoseconds !== 0;
  return Object.keys(value).length > 0;
}

/** The entries of a map value, keys sorted as fmt and range sort them. */
export function mapEntries(value: GoMap | { readonly [key: string]: Value }): [string, Value][] {
  const entries = value instanceof GoMap ? value.entries : value;
  return Object.keys(entries)
    .sort()
    .map((key) => [key, entries[key]]);
}

/** What `range` iterates over: index and element of a slice, key and value of a map (sorted), 0…n-1 of an int. */
export function rangePairs(value: Value): [Value, Value][] | undefined {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((elem, i) => [i, elem]);
  if (value instanceof GoMap || isPlainMap(value)) return mapEntries(value);
  if (typeof value === 'number' && Number.isInteger(value))
    return Array.from({ length: Math.max(0, value) }, (_, i) => [i, i]);
  return undefined;
}

/** strconv.FormatFloat(f, 'g', -1, 64), fmt's %v: shortest digits, an exponent below 1e-4 and from 1e6 on. */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
  const exp = Number(exponent);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(value);
}

/** fmt's %v of a value (fmt.Fprint); `top` is false inside containers. */
export function formatValue(value: Value): string {
  if (value === undefined || value === null || value instanceof GoNil) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : formatFloat(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(' ')}]`;
  if (value instanceof GoTime) return value.text;
  if (value instanceof GoDuration) return goDuration(value.nanoseconds);
  if (value instanceof GoStruct) {
    const body = `{${Object.values(value.fields).map(formatValue).join(' ')}}`;
    return value.pointer ? `&${body}` : body;
  }
  return `map[${mapEntries(value as GoMap)
    .map(([key, v]) => `${key}:${formatValue(v)}`)
    .join(' ')}]`;
}

/** What `{{pipeline}}` prints: a missing value or a nil interface is `<no value>`. */
export function printValue(value: Value): string {
  if (value === undefined || value === null) return '<no value>';
  // text/template prints what a pointer points to: `{{.Config.Healthcheck}}` is `{…}`, where printf's %v has `&{…}`.
  if (value instanceof GoStruct && value.pointer)
    return formatValue(new GoStruct(value.type, value.fields, value.json));
  return formatValue(value);
}

/** encoding/json's string encoding (Go 1.22+): `<`, `>`, `&` escaped only with `escapeHtml`. */
export function jsonString(text: string, escapeHtml: boolean): string {
  let out = JSON.stringify(text).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  if (escapeHtml) out = out.replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
  return out;
}

/** json.Marshal of a value; map keys sorted, structs in their own order. */
export function toJson(value: Value, escapeHtml: boolean): string {
  if (value === undefined || value === null || value instanceof GoNil || value === nilSlice) return 'null';
  if (value instanceof GoMap && value.isNil) return 'null';
  if (value instanceof GoStruct) {
    if (value.json instanceof RawJson) return value.json.text;
    // A struct's JSON object keeps its field order, as encoding/json writes a struct.
    return JSON.stringify(value.json).replace(/"(?:[^"\\]|\\.)*"/g, (s) => jsonString(JSON.parse(s), escapeHtml));
  }
  if (value instanceof GoTime) return jsonString(value.rfc3339, escapeHtml);
  if (value instanceof GoDuration) return String(value.nanoseconds);
  if (typeof value === 'string') return jsonString(value, escapeHtml);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => toJson(v, escapeHtml)).join(',')}]`;
  const entries = value instanceof GoMap ? mapEntries(value) : mapEntries(value as Record<string, Value>);
  return `{${entries.map(([k, v]) => `${jsonString(k, escapeHtml)}:${toJson(v, escapeHtml)}`).join(',')}}`;
}
