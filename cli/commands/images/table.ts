// Docker's table output: text/tabwriter with minwidth 10, padding 3 and spaces; the last column is not padded
// (so a row whose last cell is empty keeps its padding, as Docker prints it).

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(10, ...all.map((row) => [...(row[col] ?? '')].length + 3)));
  return all
    .map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]!))).join(''))
    .map((line) => `${line}\n`)
    .join('');
}
