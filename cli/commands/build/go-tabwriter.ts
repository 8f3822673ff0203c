// Go's text/tabwriter (left-aligned, space padding, no flags), which buildx's printers of subrequest results
// use: cells end at a tab; a column block is a run of consecutive lines that have a cell in that column, and
// each of its cells is padded to the block's widest cell (in runes) plus `padding`. The text after a line's last
// tab belongs to no column and is not padded; a cell that is padded keeps its trailing spaces.

/** `text` (lines of tab-separated cells, as written to a tabwriter.Writer) as Flush prints it. */
export function tabwrite(text: string, padding: number, minwidth = 0): string {
  const lines = text.split('\n').map((line) => line.split('\t'));
  const runes = (cell: string) => [...cell].length;
  const widths: number[] = [];
  let out = '';

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      lines[i].forEach((cell, j) => {
        out += cell;
        if (j < widths.length) out += ' '.repeat(widths[j] - runes(cell));
      });
      // The last line is what follows the last newline: written as it is.
      if (i + 1 < lines.length) out += '\n';
    }
  };

  const format = (from: number, to: number): void => {
    let line0 = from;
    const column = widths.length;
    for (let i = from; i < to; i++) {
      // The last cell of a line ends at the newline, not at a tab: it is in no column.
      if (column >= lines[i].length - 1) continue;
      writeLines(line0, i);
      line0 = i;
      let width = minwidth;
      for (; i < to && column < lines[i].length - 1; i++) width = Math.max(width, runes(lines[i][column]) + padding);
      widths.push(width);
      format(line0, i);
      widths.pop();
      line0 = i;
    }
    writeLines(line0, to);
  };

  format(0, lines.length);
  return out;
}
