// GitHub Actions workflow commands: each finding becomes an annotation on the pull request.
import type { LintSeverity } from '../types.js';
import type { FileFindings } from './types.js';

const COMMANDS: Record<LintSeverity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/** Escaping of workflow command data and properties (`%`, CR, LF; plus `:` and `,` in properties). */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatGithub(files: readonly FileFindings[]): string {
  const lines: string[] = [];
  for (const { file, findings } of files) {
    for (const f of findings) {
      const { start, end } = f.range;
      const properties = [
        `file=${escapeProperty(file)}`,
        `line=${start.line}`,
        `col=${start.column}`,
        `endLine=${end.line}`,
        `endColumn=${end.column}`,
        `title=${escapeProperty(f.rule)}`,
      ].join(',');
      lines.push(`::${COMMANDS[f.severity]} ${properties}::${escapeData(f.message)}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
