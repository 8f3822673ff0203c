// The comma-separated `key=value` options of a flag value, read with the rules of Go's encoding/csv
// (one record, `"` quoting with `""` as an escaped quote), as BuildKit reads `--mount` and similar flags.

export interface RawOption {
  readonly key: string;
  readonly value: string | null;
  /** Offsets into the flag value of the field as written (quotes included). */
  readonly start: number;
  readonly end: number;
}

/** Splits a flag value into options; returns [] when the value is not valid CSV (BuildKit rejects it later). */
export function parseFlagOptions(value: string): RawOption[] {
  const options: RawOption[] = [];
  if (value.length === 0) return options;
  let i = 0;
  const n = value.length;
  for (;;) {
    const start = i;
    let field = '';
    if (value.charCodeAt(i) === 0x22) {
      i++;
      for (;;) {
        if (i >= n) return []; // unterminated quoted field
        const c = value.charCodeAt(i);
        if (c === 0x22) {
          if (value.charCodeAt(i + 1) === 0x22) {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        const next = value.indexOf('"', i);
        const stop = next < 0 ? n : next;
        field += value.slice(i, stop);
        i = stop;
      }
      if (i < n && value.charCodeAt(i) !== 0x2c) return []; // extraneous text after a closing quote
    } else {
      const comma = value.indexOf(',', i);
      const stop = comma < 0 ? n : comma;
      field = value.slice(i, stop);
      if (field.includes('"')) return []; // bare quote in a non-quoted field
      i = stop;
    }
    const eq = field.indexOf('=');
    options.push({
      key: eq < 0 ? field : field.slice(0, eq),
      value: eq < 0 ? null : field.slice(eq + 1),
      start,
      end: i,
    });
    if (i >= n) return options;
    i++; // the comma
    if (i >= n) {
      options.push({ key: '', value: null, start: i, end: i });
      return options;
    }
  }
}
