// BuildKit's excerpt of a Dockerfile (solver/errdefs Source.Print), under build errors, build-check warnings with
// --debug and the errors of --check/--call requests alike.

/**
 * The excerpt around lines `first`..`last`: every line of the range marked `>>>`, with context lines added one
 * before and one after in turn until 4 (one line) or 2 (several) are added or the file ends (` %3d | >>> text`);
 * the header names the first line.
 */
export function sourceFrame(fileName: string, text: string, first: number, last: number): string {
  const lines = text.split('\n');
  if (first > lines.length || first < 1) return '';
  let start = first;
  let end = Math.min(Math.max(last, first), lines.length);
  const pad = end === start ? 4 : 2;
  for (let p = 0; p < pad; p++) {
    if (start > 1) {
      start--;
      p++;
    }
    if (end !== lines.length) {
      end++;
      p++;
    }
  }
  let out = `${fileName}:${first}\n--------------------\n`;
  for (let i = start; i <= end; i++) {
    const marker = i >= first && i <= Math.max(first, last) ? '>>>' : '   ';
    out += ` ${String(i).padStart(3)} | ${marker} ${lines[i - 1]}\n`;
  }
  return `${out}--------------------\n`;
}
