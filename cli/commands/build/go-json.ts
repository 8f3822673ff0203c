// JSON as Go's encoding/json MarshalIndent(v, "", "  ") writes it, for output buildx prints byte for byte
// (`--call=outline,format=json`): keys in the order given (struct field order), `<`, `>`, `&`, U+2028 and
// U+2029 escaped as \u003c…, control characters as \b \f \n \r \t or \u00XX, empty arrays and objects as
// `[]` and `{}`. Fields that are undefined are left out (what `omitempty` drops is left out by the caller).

export type GoJson =
  | string
  | number
  | boolean
  | null
  | readonly GoJson[]
  | { readonly [key: string]: GoJson | undefined };

const shortEscapes: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function goString(text: string): string {
  // A lone surrogate is invalid UTF-8 once encoded: Go writes U+FFFD for it.
  const wellFormed = text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  const escaped = wellFormed.replace(/["\\\u0000-\u001f<>&\u2028\u2029]/g, (ch: string) => {
    const short = shortEscapes[ch];
    return short ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `"${escaped}"`;
}

function encode(value: GoJson, indent: string): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const items = value as readonly GoJson[];
    if (items.length === 0) return '[]';
    return `[\n${items.map((item) => `${inner}${encode(item, inner)}`).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as { readonly [key: string]: GoJson | undefined }).filter(
    (entry): entry is [string, GoJson] => entry[1] !== undefined,
  );
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${goString(k)}: ${encode(v, inner)}`).join(',\n')}\n${indent}}`;
}

/** `value` as Go's json.MarshalIndent(value, "", "  ") writes it (no newline at the end). */
export function goMarshalIndent(value: GoJson): string {
  return encode(value, '');
}
