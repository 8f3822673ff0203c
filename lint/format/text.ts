// Human-readable output: `FILE:LINE:COL severity RULE message`, then the source line with the range underlined.
import type { LintSeverity } from '../types.js';
import type { FileFindings } from './types.js';

const COLORS: Record<LintSeverity, string> = { error: '\x1b[31m', warning: '\x1b[33m', info: '\x1b[36m' };
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

export interface TextOptions {
  readonly color?: boolean;
}

function lineOf(text: string, line: number): string {
  let start = 0;
  for (let i = 1; i < line; i++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return '';
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
}

/** The underline: tabs kept so it lines up under tab-indented source; at least one caret. */
function underline(source: string, startColumn: number, endColumn: number): string {
  const prefix = source.slice(0, startColumn - 1).replace(/[^\t]/g, ' ');
  return `${prefix}${'^'.repeat(Math.max(1, endColumn - startColumn))}`;
}

export function formatText(files: readonly FileFindings[], options: TextOptions = {}): string {
  const paint = (code: string, text: string): string => (options.color ? `${code}${text}${RESET}` : text);
  const out: string[] = [];
  const counts: Record<LintSeverity, number> = { error: 0, warning: 0, info: 0 };
  for (const { file, text, findings } of files) {
    for (const f of findings) {
      counts[f.severity]++;
      const { start, end } = f.range;
      const location = paint(BOLD, `${file}:${start.line}:${start.column}`);
      out.push(`${location} ${paint(COLORS[f.severity], f.severity)} ${paint(DIM, f.rule)} ${f.message}`);
      const source = lineOf(text, start.line);
      const endColumn = end.line === start.line ? end.column : source.length + 1;
      const gutter = String(start.line);
      out.push(`${paint(DIM, `${gutter} |`)} ${source}`);
      out.push(
        `${paint(DIM, `${' '.repeat(gutter.length)} |`)} ${paint(COLORS[f.severity], underline(source, start.column, endColumn))}`,
      );
    }
  }
  const total = counts.error + counts.warning + counts.info;
  if (total > 0) {
    const plural = total === 1 ? 'problem' : 'problems';
    out.push(`${total} ${plural} (${counts.error} errors, ${counts.warning} warnings, ${counts.info} info)`);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
