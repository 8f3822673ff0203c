// A size as docker/go-units' RAMInBytes reads it (what BuildKit's parseMount takes for a tmpfs mount's `size`):
// a non-negative decimal number, an optional space, and an optional binary unit `k`, `m`, `g`, `t` or `p` (any
// case) with an optional `b` or `ib`, or just `b`: `64m`, `1.5GiB`, `512 kb`, `100`.

const UNITS: Readonly<Record<string, number>> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** The number of bytes `text` stands for (truncated as Go's int64 conversion), or null when RAMInBytes refuses it. */
export function ramInBytes(text: string): number | null {
  const match = /^([+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?) ?([a-zA-Z]{0,3})$/.exec(text);
  if (match === null) return null;
  const size = Number(match[1]);
  const suffix = match[2].toLowerCase();
  if (!Number.isFinite(size)) return null;
  if (suffix === '' || suffix === 'b') return Math.trunc(size);
  const unit = UNITS[suffix[0]];
  if (
    unit === undefined ||
    (suffix.length === 2 && suffix[1] !== 'b') ||
    (suffix.length === 3 && suffix.slice(1) !== 'ib')
  )
    return null;
  return Math.trunc(size * unit);
}
