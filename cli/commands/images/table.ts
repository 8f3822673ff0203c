// Docker's table output and its image-name columns. The table: text/tabwriter with minwidth 10, padding 3 and spaces; the last column is not padded
// (so a row whose last cell is empty keeps its padding, as Docker prints it).

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(10, ...all.map((row) => [...(row[col] ?? '')].length + 3)));
  return all
    .map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]!))).join(''))
    .map((line) => `${line}\n`)
    .join('');
}

/** The REPOSITORY and TAG columns of an image's familiar name (`<none>` for what it lacks). */
export function repositoryAndTag(familiar: string | undefined): [string, string] {
  if (familiar === undefined) return ['<none>', '<none>'];
  // A digest reference (`alpine@sha256:…`, from a pull by digest) has no tag.
  const at = familiar.indexOf('@');
  if (at >= 0) return [familiar.slice(0, at), '<none>'];
  const colon = familiar.lastIndexOf(':');
  return colon > familiar.lastIndexOf('/')
    ? [familiar.slice(0, colon), familiar.slice(colon + 1)]
    : [familiar, '<none>'];
}
